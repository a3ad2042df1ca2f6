using System.Net;
using System.Text;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Removes known secrets, in the forms they travel in, from texts that will be stored or shown.</summary>
internal static class SecretScrubber
{
    public static string? Scrub(string? text, IEnumerable<SecretValue> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in secrets)
        {
            var value = secret.Reveal();
            foreach (var form in (ReadOnlySpan<string>)[value, Uri.EscapeDataString(value), WebUtility.UrlEncode(value), Convert.ToBase64String(Encoding.UTF8.GetBytes(value))])
            {
                text = text.Replace(form, SecretValue.RedactedText, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
