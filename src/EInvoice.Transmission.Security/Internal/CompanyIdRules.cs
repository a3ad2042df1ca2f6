namespace EInvoice.Transmission.Security.Internal;

/// <summary>The one rule set for company ids, used at every public boundary.</summary>
internal static class CompanyIdRules
{
    public const int MaxLength = 128;

    public const string Rule = "1 to 128 characters of valid Unicode text, with no control characters and no leading or trailing white space";

    /// <exception cref="ArgumentNullException"><paramref name="companyId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> breaks the rule.</exception>
    public static void Validate(string companyId, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(companyId, parameterName);
        if (!IsValid(companyId))
        {
            throw new ArgumentException($"The company id is not valid: use {Rule}.", parameterName);
        }
    }

    public static bool IsValid(string? companyId)
    {
        if (string.IsNullOrEmpty(companyId) || companyId.Length > MaxLength
            || char.IsWhiteSpace(companyId[0]) || char.IsWhiteSpace(companyId[^1]))
        {
            return false;
        }

        for (var i = 0; i < companyId.Length; i++)
        {
            var c = companyId[i];
            if (char.IsControl(c))
            {
                return false;
            }

            // A lone surrogate has no UTF-8 form: two such ids would encode alike in an envelope's associated data.
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == companyId.Length || !char.IsLowSurrogate(companyId[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }
}
