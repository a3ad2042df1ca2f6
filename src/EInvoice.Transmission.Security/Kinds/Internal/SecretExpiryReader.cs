using System.Buffers.Text;
using System.Text.Json;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Reads a secret's expiry from the material, as its field declares (<see cref="CredentialField.ExpirySource"/>). The
/// one place that knows how: a new source (a certificate's <c>NotAfter</c>, with the certificate kinds) is added here.
/// </summary>
internal static class SecretExpiryReader
{
    /// <summary>The longest JWT payload read: larger ones are not tokens anyone enters as an API key.</summary>
    private const int MaxPayloadChars = 16 * 1024;

    public static DateTimeOffset? Read(CredentialField field, SecretValue secret) => field.ExpirySource switch
    {
        SecretExpirySource.JwtExpirationClaim => ReadJwtExpiration(secret.Reveal()),
        _ => null,
    };

    /// <summary>The <c>exp</c> claim of a compact JWS/JWT, or <see langword="null"/> when the text is not one or has none.</summary>
    internal static DateTimeOffset? ReadJwtExpiration(string text)
    {
        var first = text.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || text.IndexOf('.', second + 1) >= 0 || second - first - 1 is <= 0 or > MaxPayloadChars)
        {
            return null;
        }

        var encoded = text.AsSpan(first + 1, second - first - 1);
        var payload = new byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        try
        {
            if (Base64Url.DecodeFromChars(encoded, payload, out _, out var written) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }

            using var document = JsonDocument.Parse(payload.AsMemory(0, written));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("exp", out var exp)
                && exp.ValueKind == JsonValueKind.Number
                && exp.TryGetDouble(out var seconds)
                && seconds is > 0 and < 253402300799)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Floor(seconds) * 1000);
            }

            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a member name with an invalid escape (which the reader reports as InvalidOperationException
            // when it unescapes it to compare): not a token the reader can use, so no expiry. The exception is dropped,
            // since its message may quote the payload of a secret.
            return null;
        }
        finally
        {
            // The payload of a secret: cleared like any buffer that held secret material.
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }
}
