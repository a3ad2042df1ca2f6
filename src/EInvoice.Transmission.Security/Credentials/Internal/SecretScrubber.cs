using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Removes known secrets, in the forms they travel in, from texts that will be stored or shown.</summary>
/// <remarks>
/// <para>
/// Each secret is searched for case-insensitively (an identity provider may lower-case its whole answer), in its
/// Unicode NFC and NFD forms, with every character allowed in any of these forms, mixed freely: itself; percent-encoded
/// UTF-8 bytes (<c>%C3%A9</c>, hex in either case) or Latin-1 (<c>%E9</c>); <c>+</c> for a space (form encoding);
/// JavaScript's <c>%u00E9</c>;
/// JSON escapes (<c>\u00e9</c>, <c>\/</c>, <c>\"</c>, <c>\\</c>); HTML character references (<c>&amp;#233;</c>,
/// <c>&amp;#xE9;</c>, <c>&amp;amp;</c>). Its UTF-8 bytes are also searched for as Base64 and Base64url (with and without
/// padding, and at each of the three alignments it can take inside a longer Base64 text, such as a Basic
/// <c>Authorization</c> value) and as hex.
/// </para>
/// <para>
/// A search that exceeds its time limit (a text built to make the search backtrack) withholds the whole text.
/// </para>
/// </remarks>
internal static class SecretScrubber
{
    /// <summary>Runs of the token alphabet this long or longer are withheld from remote text by <see cref="RedactTokenRuns"/>.</summary>
    public const int TokenRunLength = 24;

    private const int MinimumBase64CoreLength = 8;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Base64, Base64url, percent-encoding, JWT and hex alphabets together, plus <c>~</c>: what an encoded secret is made of.</summary>
    private static readonly Regex TokenRun = new("[A-Za-z0-9+/=_\\-.~%]{" + TokenRunLength.ToString(CultureInfo.InvariantCulture) + ",}", RegexOptions.CultureInvariant, MatchTimeout);

    /// <summary>Replaces every known secret, in every form listed on the class, with <c>[redacted]</c>.</summary>
    /// <param name="text">The text; <see langword="null"/> and empty are returned as they are.</param>
    /// <param name="secrets">The secrets that may appear in it.</param>
    /// <returns>The text without the secrets.</returns>
    public static string? Scrub(string? text, IEnumerable<SecretValue> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        try
        {
            foreach (var secret in secrets)
            {
                text = Pattern(secret.Reveal()).Replace(text, SecretValue.RedactedText);
            }
        }
        catch (RegexMatchTimeoutException)
        {
            return SecretValue.RedactedText;
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> holds any of the secrets in any form <see cref="Scrub"/> finds.</summary>
    /// <param name="text">The text.</param>
    /// <param name="secrets">The secrets.</param>
    /// <returns><see langword="true"/> when the text holds a secret (or the search timed out).</returns>
    public static bool ContainsSecret(string text, IEnumerable<SecretValue> secrets)
        => !string.Equals(Scrub(text, secrets), text, StringComparison.Ordinal);

    /// <summary>
    /// Replaces every run of <see cref="TokenRunLength"/> or more characters of <c>[A-Za-z0-9+/=_\-.~%]</c> with
    /// <c>[redacted]</c>.
    /// </summary>
    /// <remarks>
    /// For text from the other side only: it may carry a secret in an encoding <see cref="Scrub"/> does not know
    /// (a hash, a cipher, a layered or partial encoding), and such encodings are long runs of this alphabet. Words of
    /// human language rarely are; the price is that a long URL or identifier in the text is withheld too.
    /// </remarks>
    /// <param name="text">The text.</param>
    /// <returns>The text without long token-like runs.</returns>
    public static string RedactTokenRuns(string text)
    {
        try
        {
            return TokenRun.Replace(text, SecretValue.RedactedText);
        }
        catch (RegexMatchTimeoutException)
        {
            return SecretValue.RedactedText;
        }
    }

    private static Regex Pattern(string secret)
    {
        var alternatives = new List<string>();
        foreach (var form in new[] { secret, Normalized(secret, NormalizationForm.FormC), Normalized(secret, NormalizationForm.FormD) }.Distinct(StringComparer.Ordinal))
        {
            alternatives.Add(CharacterByCharacter(form));
        }

        var bytes = Encoding.UTF8.GetBytes(secret);
        var base64 = Convert.ToBase64String(bytes);
        var literals = new List<string> { base64, base64.TrimEnd('='), Convert.ToHexString(bytes) };

        // Inside a longer Base64 text the secret starts at one of three bit offsets; only the characters made wholly
        // of its own bits are fixed, so those are what is searched for, at each alignment.
        for (var offset = 0; offset < 3; offset++)
        {
            var padded = new byte[offset + bytes.Length];
            bytes.CopyTo(padded, offset);
            var encoded = Convert.ToBase64String(padded);
            var first = ((offset * 8) + 5) / 6;
            var end = (offset + bytes.Length) * 8 / 6;
            if (end - first >= MinimumBase64CoreLength)
            {
                literals.Add(encoded[first..end]);
            }
        }

        foreach (var literal in literals.ToArray())
        {
            literals.Add(literal.Replace('+', '-').Replace('/', '_'));
        }

        // Longest first: at one position the regex takes the first alternative that matches.
        alternatives.AddRange(literals.Distinct(StringComparer.Ordinal).OrderByDescending(l => l.Length).Select(Regex.Escape));
        return new Regex(string.Join('|', alternatives), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
    }

    private static string Normalized(string value, NormalizationForm form)
    {
        try
        {
            return value.Normalize(form);
        }
        catch (ArgumentException)
        {
            // Not valid Unicode (a lone surrogate): only its own form can appear.
            return value;
        }
    }

    /// <summary>A pattern matching the value with each character in any of its encodings.</summary>
    private static string CharacterByCharacter(string value)
    {
        var pattern = new StringBuilder("(?:");
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            string character;
            int codePoint;
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                character = value.Substring(i, 2);
                codePoint = char.ConvertToUtf32(value[i], value[i + 1]);
                i++;
            }
            else
            {
                character = value[i].ToString();
                codePoint = value[i];
            }

            pattern.Append("(?:").Append(Regex.Escape(character));
            if (Rune.TryCreate(codePoint, out var rune))
            {
                pattern.Append('|');
                var length = rune.EncodeToUtf8(utf8);
                foreach (var b in utf8[..length])
                {
                    pattern.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            if (codePoint is >= 0x80 and <= 0xFF)
            {
                // Latin-1, as JavaScript's escape() and old form encoders write it.
                pattern.Append("|%").Append(codePoint.ToString("X2", CultureInfo.InvariantCulture));
            }

            pattern.Append('|');
            foreach (var unit in character)
            {
                pattern.Append("%u").Append(((int)unit).ToString("X4", CultureInfo.InvariantCulture));
            }

            pattern.Append('|');
            foreach (var unit in character)
            {
                pattern.Append(@"\\u").Append(((int)unit).ToString("X4", CultureInfo.InvariantCulture));
            }

            pattern.Append("|&#0*").Append(codePoint.ToString(CultureInfo.InvariantCulture)).Append(';')
                .Append("|&#x0*").Append(codePoint.ToString("X", CultureInfo.InvariantCulture)).Append(';');
            pattern.Append(codePoint switch
            {
                ' ' => @"|\+",
                '/' => @"|\\/",
                '"' => @"|\\""|&quot;",
                '\\' => @"|\\\\",
                '&' => "|&amp;",
                '<' => "|&lt;",
                '>' => "|&gt;",
                '\'' => "|&apos;",
                _ => string.Empty,
            });
            pattern.Append(')');
        }

        return pattern.Append(')').ToString();
    }
}
