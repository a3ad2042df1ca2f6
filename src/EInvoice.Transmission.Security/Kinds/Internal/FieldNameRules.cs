using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>What the names of kinds and fields, and the values of header fields, look like.</summary>
internal static partial class FieldNameRules
{
    /// <summary>The family of static headers every kind may declare.</summary>
    public const string HeaderPrefix = "header.";

    /// <summary>Checks the name a kind declares for a field or family.</summary>
    public static void ValidateDeclaredName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!DeclaredName().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid field name: 1 to 64 lowercase letters, digits and '_', starting with a letter; a family's prefix ends with '.'.", nameof(name));
        }
    }

    /// <summary>
    /// <paramref name="candidate"/> when it follows the rule of envelope and audit field names (1 to 64 characters of
    /// <c>a-z 0-9 . _ -</c>); otherwise <paramref name="hashPrefix"/> and the first 40 hex digits of the SHA-256 of the
    /// UTF-8 <paramref name="source"/>, which always does.
    /// </summary>
    public static string FitOrHash(string candidate, string hashPrefix, string source)
        => candidate.Length is > 0 and <= 64 && candidate.All(static c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-')
            ? candidate
            : hashPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..40];

    /// <summary>Checks the name of a kind.</summary>
    public static void ValidateKindName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!KindName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid kind name: 1 to 64 lowercase letters, digits and '_', starting with a letter.", nameof(name));
        }
    }

    /// <summary>Whether <paramref name="name"/> is an HTTP header name (an RFC 9110 token of at most 64 characters).</summary>
    public static bool IsHeaderName(ReadOnlySpan<char> name) => name.Length is > 0 and <= 64 && HeaderToken().IsMatch(name);

    /// <summary>
    /// Whether a header name is one a credential may not set: headers that frame the message or route it (Host goes into
    /// the TLS handshake in clear), that the content owns, or that belong to proxies.
    /// </summary>
    public static bool IsForbiddenCredentialHeader(string name)
        => name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
            || ForbiddenHeaders.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] ForbiddenHeaders = ["Host", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect"];

    /// <summary>Whether <paramref name="name"/> may follow the prefix of a family of plain values.</summary>
    public static bool IsMemberSuffix(ReadOnlySpan<char> name) => name.Length is > 0 and <= 64 && MemberSuffix().IsMatch(name);

    /// <summary>Whether a header value is free of control characters (CR and LF above all) and of surrounding white space.</summary>
    public static bool IsHeaderValue(string value)
        => value.Length > 0 && !value.Any(char.IsControl) && value.Trim().Length == value.Length;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\.?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DeclaredName();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KindName();

    [GeneratedRegex("^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderToken();

    [GeneratedRegex("^[A-Za-z0-9_.\\-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex MemberSuffix();
}

/// <summary>The rule a field's value follows.</summary>
internal enum CredentialFieldRule
{
    Text,
    Endpoint,
    Scope,
    Choice,
    HeaderName,
    HeaderValue,
}
