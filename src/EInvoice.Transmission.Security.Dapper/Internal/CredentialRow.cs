namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>A row of <c>eits_credentials</c> as Dapper reads and writes it; timestamps are Unix milliseconds.</summary>
internal sealed class CredentialRow
{
    public const string Columns =
        "company_id AS CompanyId, mode AS Mode, environment AS Environment, client_id AS ClientId, " +
        "client_secret AS ClientSecret, token_endpoint AS TokenEndpoint, api_endpoint AS ApiEndpoint, scope AS Scope, " +
        "api_key AS ApiKey, asp_endpoint AS AspEndpoint, asp_identifier AS AspIdentifier, " +
        "asp_provider_name AS AspProviderName, access_token AS AccessToken, refresh_token AS RefreshToken, " +
        "destination_seal AS DestinationSeal, access_token_expires_at AS AccessTokenExpiresAt, access_token_refresh_at AS AccessTokenRefreshAt, is_valid AS IsValid, last_validated_at AS LastValidatedAt, " +
        "last_test_at AS LastTestAt, last_test_succeeded AS LastTestSucceeded, last_test_error AS LastTestError, " +
        "configured_at AS ConfiguredAt, configured_by AS ConfiguredBy, version AS Version, row_version AS RowVersion";

    public string CompanyId { get; set; } = string.Empty;

    public string Mode { get; set; } = string.Empty;

    public string Environment { get; set; } = string.Empty;

    public string? ClientId { get; set; }

    public byte[]? ClientSecret { get; set; }

    public string? TokenEndpoint { get; set; }

    public string? ApiEndpoint { get; set; }

    public string? Scope { get; set; }

    public byte[]? ApiKey { get; set; }

    public string? AspEndpoint { get; set; }

    public string? AspIdentifier { get; set; }

    public string? AspProviderName { get; set; }

    public byte[]? AccessToken { get; set; }

    public byte[]? RefreshToken { get; set; }

    public byte[]? DestinationSeal { get; set; }

    public long? AccessTokenExpiresAt { get; set; }

    public long? AccessTokenRefreshAt { get; set; }

    public bool? IsValid { get; set; }

    public long? LastValidatedAt { get; set; }

    public long? LastTestAt { get; set; }

    public bool? LastTestSucceeded { get; set; }

    public string? LastTestError { get; set; }

    public long ConfiguredAt { get; set; }

    public string ConfiguredBy { get; set; } = string.Empty;

    public long Version { get; set; }

    public long RowVersion { get; set; }

    /// <summary>Only for conditional writes: the row version the write expects to replace.</summary>
    public long ExpectedRowVersion { get; set; }

    public static CredentialRow From(StoredCredential credential, long expectedRowVersion = 0) => new()
    {
        CompanyId = credential.CompanyId,
        Mode = credential.Mode.ToString(),
        Environment = credential.Environment,
        ClientId = credential.ClientId,
        ClientSecret = credential.ClientSecret,
        TokenEndpoint = credential.TokenEndpoint,
        ApiEndpoint = credential.ApiEndpoint,
        Scope = credential.Scope,
        ApiKey = credential.ApiKey,
        AspEndpoint = credential.AspEndpoint,
        AspIdentifier = credential.AspIdentifier,
        AspProviderName = credential.AspProviderName,
        AccessToken = credential.AccessToken,
        RefreshToken = credential.RefreshToken,
        DestinationSeal = credential.DestinationSeal,
        AccessTokenExpiresAt = credential.AccessTokenExpiresAt?.ToUnixTimeMilliseconds(),
        AccessTokenRefreshAt = credential.AccessTokenRefreshAt?.ToUnixTimeMilliseconds(),
        IsValid = credential.IsValid,
        LastValidatedAt = credential.LastValidatedAt?.ToUnixTimeMilliseconds(),
        LastTestAt = credential.LastTestAt?.ToUnixTimeMilliseconds(),
        LastTestSucceeded = credential.LastTestSucceeded,
        LastTestError = credential.LastTestError,
        ConfiguredAt = credential.ConfiguredAt.ToUnixTimeMilliseconds(),
        ConfiguredBy = credential.ConfiguredBy,
        Version = credential.Version,
        RowVersion = credential.RowVersion,
        ExpectedRowVersion = expectedRowVersion,
    };

    public StoredCredential ToStoredCredential() => new()
    {
        CompanyId = CompanyId,
        Mode = Enum.Parse<TransmissionMode>(Mode),
        Environment = Environment,
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        TokenEndpoint = TokenEndpoint,
        ApiEndpoint = ApiEndpoint,
        Scope = Scope,
        ApiKey = ApiKey,
        AspEndpoint = AspEndpoint,
        AspIdentifier = AspIdentifier,
        AspProviderName = AspProviderName,
        AccessToken = AccessToken,
        RefreshToken = RefreshToken,
        DestinationSeal = DestinationSeal,
        AccessTokenExpiresAt = FromUnix(AccessTokenExpiresAt),
        AccessTokenRefreshAt = FromUnix(AccessTokenRefreshAt),
        IsValid = IsValid,
        LastValidatedAt = FromUnix(LastValidatedAt),
        LastTestAt = FromUnix(LastTestAt),
        LastTestSucceeded = LastTestSucceeded,
        LastTestError = LastTestError,
        ConfiguredAt = DateTimeOffset.FromUnixTimeMilliseconds(ConfiguredAt),
        ConfiguredBy = ConfiguredBy,
        Version = Version,
        RowVersion = RowVersion,
    };

    private static DateTimeOffset? FromUnix(long? milliseconds)
        => milliseconds is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
