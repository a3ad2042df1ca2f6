using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The plain columns of a credential row that decide where its secrets are sent and how. Sealed with the row
/// (<see cref="StoredCredential.DestinationSeal"/>), because someone who could change them unseen — with write access
/// to the database and nothing else — could have the library hand a client secret, API key or token to their server.
/// </summary>
internal sealed record CredentialDestination(
    TransmissionMode Mode,
    string Environment,
    string? ClientId,
    string? TokenEndpoint,
    string? ApiEndpoint,
    string? Scope,
    string? AspEndpoint,
    string? AspIdentifier,
    string? AspProviderName)
{
    /// <summary>The destination of <paramref name="row"/> as bytes; equal rows give equal bytes.</summary>
    public static byte[] Encode(StoredCredential row)
        => JsonSerializer.SerializeToUtf8Bytes(
            new CredentialDestination(row.Mode, row.Environment, row.ClientId, row.TokenEndpoint, row.ApiEndpoint, row.Scope, row.AspEndpoint, row.AspIdentifier, row.AspProviderName),
            CredentialDestinationJsonContext.Default.CredentialDestination);
}

[JsonSerializable(typeof(CredentialDestination))]
internal sealed partial class CredentialDestinationJsonContext : JsonSerializerContext;
