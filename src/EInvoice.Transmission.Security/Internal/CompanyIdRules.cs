using System.Globalization;
using System.Text;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The one rule set for company ids, used at every public boundary.</summary>
/// <remarks>
/// A company id is bound byte for byte (UTF-8) into every envelope's associated data and is the key of its row, so
/// two ids that look the same must not be two different strings. The rules therefore refuse what would let them
/// differ invisibly: text not in Unicode normalization form C, and format characters (category Cf: bidi controls
/// and overrides, zero-width characters, the byte order mark, tag characters). Ids are refused, never normalised,
/// so the id a caller passes is always the id that is stored and sealed.
/// </remarks>
internal static class CompanyIdRules
{
    public const int MaxLength = 128;

    public const string Rule =
        "1 to 128 UTF-16 code units of valid Unicode text in normalization form C (NFC), with no control characters, " +
        "no format characters (bidi controls, zero-width or other invisible characters) and no leading or trailing white space";

    /// <summary>
    /// Whether this runtime can tell NFC text from other text. In globalization-invariant mode, .NET reports every
    /// string as normalised, so a decomposed id would pass unseen; the rules then accept only ASCII ids, which are
    /// always NFC.
    /// </summary>
    private static readonly bool CanCheckNormalization = !"e\u0301".IsNormalized(NormalizationForm.FormC);

    /// <exception cref="ArgumentNullException"><paramref name="companyId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> breaks the rule.</exception>
    public static void Validate(string companyId, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(companyId, parameterName);
        var problem = GetProblem(companyId);
        if (problem is not null)
        {
            throw new ArgumentException($"The company id is not valid: {problem}. Use {Rule}.", parameterName);
        }
    }

    public static bool IsValid(string? companyId) => GetProblem(companyId) is null;

    /// <summary>Returns why <paramref name="companyId"/> breaks the rule, or <see langword="null"/> when it does not.</summary>
    public static string? GetProblem(string? companyId) => GetProblem(companyId, CanCheckNormalization);

    internal static string? GetProblem(string? companyId, bool canCheckNormalization)
    {
        if (string.IsNullOrEmpty(companyId))
        {
            return "it is empty";
        }

        if (companyId.Length > MaxLength)
        {
            return $"it is {companyId.Length} UTF-16 code units long";
        }

        if (char.IsWhiteSpace(companyId[0]) || char.IsWhiteSpace(companyId[^1]))
        {
            return "it starts or ends with white space";
        }

        var ascii = true;
        var remaining = companyId.AsSpan();
        while (!remaining.IsEmpty)
        {
            // A lone surrogate has no UTF-8 form: two such ids would encode alike in an envelope's associated data.
            if (Rune.DecodeFromUtf16(remaining, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "it contains a lone surrogate, which is not valid Unicode";
            }

            if (Rune.IsControl(rune))
            {
                return $"it contains the control character U+{rune.Value:X4}";
            }

            // Bidi controls and overrides reorder what a reader sees; zero-width and other format characters are
            // invisible. Either lets two ids that display alike be different companies.
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                return $"it contains the invisible format character U+{rune.Value:X4} (a bidi control, zero-width or similar character)";
            }

            ascii &= rune.IsAscii;
            remaining = remaining[consumed..];
        }

        if (ascii)
        {
            return null;
        }

        if (!canCheckNormalization)
        {
            return "it is not ASCII, and this runtime runs in globalization-invariant mode, where .NET cannot check "
                + "that text is in Unicode normalization form C (NFC); use an ASCII id or run with ICU";
        }

        return companyId.IsNormalized(NormalizationForm.FormC)
            ? null
            : "it is not in Unicode normalization form C (NFC); pass companyId.Normalize(NormalizationForm.FormC), "
                + "and store that form, because the library refuses other forms instead of changing the id it is given";
    }
}
