using System.Buffers.Text;
using System.Text;
using System.Text.RegularExpressions;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security.Tests.Credentials;

/// <summary>
/// The scrubber behind every error text the library stores or shows (token errors, connection test results): each
/// encoding an identity provider or a proxy might echo a secret in.
/// </summary>
public sealed class SecretScrubberTests
{
    /// <summary>Characters that percent-encode, a space, a non-ASCII letter, '/', '+', '=' and '&amp;'.</summary>
    public const string Secret = "Sécret/+= x&y";

    public static TheoryData<string, string> Encodings => new()
    {
        { "raw", Secret },
        { "percent, upper-case hex", Uri.EscapeDataString(Secret) },
        { "percent, lower-case hex", PercentLower(Uri.EscapeDataString(Secret)) },
        { "whole text lower-cased", Secret.ToLowerInvariant() },
        { "whole text upper-cased", Secret.ToUpperInvariant() },
        { "form, + for space", Uri.EscapeDataString(Secret).Replace("%20", "+", StringComparison.Ordinal) },
        { "percent, only some characters", "S%C3%A9cret/%2B= x&y" },
        { "JavaScript escape(), Latin-1", "S%E9cret/+%3D%20x%26y" },
        { "percent, UTF-16 units", "S%u00E9cret%u002F%u002B%u003D%u0020x%u0026y" },
        { "Base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)) },
        { "Base64, lower-cased", Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)).ToLowerInvariant() },
        { "Base64url, unpadded", Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Secret)) },
        { "Base64url, padded", Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret)).Replace('+', '-').Replace('/', '_') },
        { "Base64 inside a Basic header", Convert.ToBase64String(Encoding.UTF8.GetBytes("erp-client-001:" + Secret)) },
        { "hex", Convert.ToHexStringLower(Encoding.UTF8.GetBytes(Secret)) },
        { "JSON-escaped", JsonEscaped(Secret) },
        { "JSON, only / escaped", Secret.Replace("/", "\\/", StringComparison.Ordinal) },
        { "HTML references", "S&#233;cret/+= x&amp;y" },
        { "NFD", Secret.Normalize(NormalizationForm.FormD) },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Scrub_SecretInAnEncoding_IsRedacted(string encoding, string encoded)
    {
        var scrubbed = SecretScrubber.Scrub($"before {encoded} after", [new SecretValue(Secret)]);

        scrubbed.Should().NotContainEquivalentOf(encoded, encoding);
        scrubbed.Should().StartWith("before ").And.EndWith(" after").And.Contain(SecretValue.RedactedText, encoding);
        SecretScrubber.ContainsSecret(encoded, [new SecretValue(Secret)]).Should().BeTrue(encoding);
    }

    [Fact]
    public void Scrub_JsonEscapedQuoteAndBackslash_AreRedacted()
    {
        const string Quoted = "a\"b\\c-secret";

        var scrubbed = SecretScrubber.Scrub("x a\\\"b\\\\c-secret y", [new SecretValue(Quoted)]);

        scrubbed.Should().Be("x [redacted] y");
    }

    [Fact]
    public void Scrub_NoSecretInTheText_LeavesItAlone()
    {
        const string Text = "Client authentication failed: AADSTS7000215 (Invalid client secret provided).";

        SecretScrubber.Scrub(Text, [new SecretValue(Secret), new SecretValue("another-secret-value")]).Should().Be(Text);
        SecretScrubber.Scrub(null, [new SecretValue(Secret)]).Should().BeNull();
    }

    [Fact]
    public void RedactTokenRuns_RunOf24TokenCharacters_IsRedactedAndShorterRunsKept()
    {
        var run24 = new string('k', 23) + "=";
        var run23 = new string('k', 23);

        SecretScrubber.RedactTokenRuns($"a {run24} b {run23} c").Should().Be($"a [redacted] b {run23} c");
        SecretScrubber.RedactTokenRuns("unsupported_grant_type: use client_credentials").Should().Be("unsupported_grant_type: use client_credentials");
    }

    internal static string PercentLower(string encoded)
        => Regex.Replace(encoded, "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant());

    /// <summary>Every character but ASCII letters and digits as <c>\u00XX</c>, '/' as <c>\/</c>: what a JSON encoder might write.</summary>
    internal static string JsonEscaped(string value)
    {
        var builder = new StringBuilder();
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '/' => "\\/",
                _ when char.IsAsciiLetterOrDigit(c) => c.ToString(),
                _ => $"\\u{(int)c:x4}",
            });
        }

        return builder.ToString();
    }
}
