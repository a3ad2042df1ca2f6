using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>How a company's e-invoices reach the tax platform, and therefore which credentials it needs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransmissionMode>))]
public enum TransmissionMode
{
    /// <summary>
    /// A direct platform connection that authenticates with OAuth 2.0 client credentials: client id, client secret,
    /// token endpoint, API endpoint and scope.
    /// </summary>
    DirectDctce = 1,

    /// <summary>An Accredited Service Provider that authenticates with an API key: API key, endpoint, identifier, provider name.</summary>
    AspProvider = 2,

    /// <summary>A sandbox that needs no secret; endpoints are optional. Only valid in the <c>Sandbox</c> environment.</summary>
    Sandbox = 3,
}
