namespace EInvoice.Transmission.Security.Internal;

/// <summary>Field names: those of sealed envelopes (bound into their associated data) and those named in audit entries.</summary>
internal static class SecretFields
{
    public const string ClientSecret = "dctce.client_secret";
    public const string ApiKey = "asp.api_key";
    public const string AccessToken = "token.access";
    public const string RefreshToken = "token.refresh";
    public const string Destination = "row.destination";

    public const string Mode = "mode";
    public const string Environment = "environment";
    public const string ClientId = "dctce.client_id";
    public const string TokenEndpoint = "dctce.token_endpoint";
    public const string ApiEndpoint = "dctce.api_endpoint";
    public const string Scope = "dctce.scope";
    public const string AspEndpoint = "asp.endpoint";
    public const string AspIdentifier = "asp.identifier";
    public const string AspProviderName = "asp.provider_name";
}
