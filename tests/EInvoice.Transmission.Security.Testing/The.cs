namespace EInvoice.Transmission.Security.Testing;

/// <summary>Canonical test values (Duende's idea): one place for the keys, ids and instants the tests share.</summary>
public static class The
{
    public const string KeyId = "kek-2026-01";
    public const string Key = "gDtg+ukqKBtVRlNfUj2sP0kSb1Dj4wMajFM9fmz8DBE=";

    public const string NewKeyId = "kek-2026-11";
    public const string NewKey = "otB95XQZWahwQFz1/nLmTkLlw4jtmXgaDhJNBZLlXHA=";

    public const string OtherKeyId = "kek-other";
    public const string OtherKey = "mHMOAfzNrW7WS2FyCgzlpdBbjEEgceU1lfTJo5m3o20=";

    public const string CompanyId = "AE-100234567800003";
    public const string OtherCompanyId = "AE-100987654300003";

    /// <summary>The envelope field names the client secret and API key are sealed under (0.1's names, kept).</summary>
    public const string ClientSecretField = "dctce.client_secret";
    public const string ApiKeyField = "asp.api_key";

    public const string Admin = "admin@erp.example";
    public const string MfaCode = "314159";

    public const string ClientId = "erp-client-001";
    public const string ClientSecret = "client-secret-9Qx!";
    public const string ApiKey = "asp-api-key-77Kz";

    public static readonly Uri TokenEndpoint = new("https://auth.platform.example/oauth2/token");
    public static readonly Uri ApiEndpoint = new("https://api.platform.example/v1/");
    public static readonly Uri AspEndpoint = new("https://api.asp.example/einvoice/");

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 30, 0, TimeSpan.Zero);

    /// <summary>A valid proof for <see cref="TestMfaVerifier"/>.</summary>
    public static MfaProof Mfa => new("totp", new SecretValue(MfaCode));

    public static CredentialChangeContext AdminWithMfa => new(Admin, Mfa);

    public static CredentialUpdate DirectCredentials => new CredentialUpdate
    {
        Kind = OAuthClientCredentialsKind.KindName,
        Environment = TransmissionEnvironment.Production,
    }
        .WithSetting(OAuthClientCredentialsKind.ClientId, ClientId)
        .WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(ClientSecret))
        .WithSetting(OAuthClientCredentialsKind.TokenEndpoint, TokenEndpoint)
        .WithSetting(OAuthClientCredentialsKind.ApiEndpoint, ApiEndpoint)
        .WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit einvoice:status");

    public static CredentialUpdate AspCredentials => new CredentialUpdate
    {
        Kind = ApiKeyKind.KindName,
        Environment = TransmissionEnvironment.Production,
    }
        .WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKey))
        .WithSetting(ApiKeyKind.ApiEndpoint, AspEndpoint)
        .WithSetting(ApiKeyKind.Identifier, "0235:100234567800003")
        .WithSetting(ApiKeyKind.ProviderName, "Example ASP");
}
