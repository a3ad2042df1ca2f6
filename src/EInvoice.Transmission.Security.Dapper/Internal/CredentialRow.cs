namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>A row of <c>eits_credentials</c> as Dapper reads and writes it; timestamps are Unix milliseconds.</summary>
internal sealed class CredentialRow
{
    public const string Columns =
        "company_id AS CompanyId, kind AS Kind, environment AS Environment, settings AS Settings, secrets AS Secrets, secret_expiries AS SecretExpiries, " +
        "access_token AS AccessToken, refresh_token AS RefreshToken, " +
        "destination_seal AS DestinationSeal, access_token_expires_at AS AccessTokenExpiresAt, access_token_refresh_at AS AccessTokenRefreshAt, serving_secret AS ServingSecretName, refresh_token_expires_at AS RefreshTokenExpiresAt, is_valid AS IsValid, last_validated_at AS LastValidatedAt, " +
        "last_test_at AS LastTestAt, last_test_succeeded AS LastTestSucceeded, last_test_error AS LastTestError, " +
        "configured_at AS ConfiguredAt, configured_by AS ConfiguredBy, version AS Version, row_version AS RowVersion";

    public string CompanyId { get; set; } = string.Empty;

    public string Kind { get; set; } = string.Empty;

    public string Environment { get; set; } = string.Empty;

    /// <summary>The settings as a JSON object of strings.</summary>
    public string? Settings { get; set; }

    /// <summary>The secret envelopes as a JSON object of lowercase hexadecimal strings.</summary>
    public string? Secrets { get; set; }

    /// <summary>The expiry of each secret: a JSON object of secret name to Unix milliseconds (as text).</summary>
    public string? SecretExpiries { get; set; }

    public byte[]? AccessToken { get; set; }

    public byte[]? RefreshToken { get; set; }

    public byte[]? DestinationSeal { get; set; }

    public long? AccessTokenExpiresAt { get; set; }

    public long? AccessTokenRefreshAt { get; set; }

    public string? ServingSecretName { get; set; }

    public long? RefreshTokenExpiresAt { get; set; }

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
        Kind = credential.Kind,
        Environment = credential.Environment,
        Settings = FieldsJson.Write(credential.Settings),
        Secrets = FieldsJson.Write(credential.Secrets.ToDictionary(static s => s.Key, static s => Convert.ToHexStringLower(s.Value), StringComparer.Ordinal)),
        SecretExpiries = FieldsJson.Write(credential.SecretExpiries.ToDictionary(static e => e.Key, static e => e.Value.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)),
        AccessToken = credential.AccessToken,
        RefreshToken = credential.RefreshToken,
        DestinationSeal = credential.DestinationSeal,
        AccessTokenExpiresAt = credential.AccessTokenExpiresAt?.ToUnixTimeMilliseconds(),
        AccessTokenRefreshAt = credential.AccessTokenRefreshAt?.ToUnixTimeMilliseconds(),
        ServingSecretName = credential.ServingSecretName,
        RefreshTokenExpiresAt = credential.RefreshTokenExpiresAt?.ToUnixTimeMilliseconds(),
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
        Kind = Kind,
        Environment = Environment,
        Settings = FieldsJson.Read(Settings),
        Secrets = FieldsJson.ReadEnvelopes(Secrets),
        SecretExpiries = FieldsJson.ReadInstants(SecretExpiries),
        AccessToken = AccessToken,
        RefreshToken = RefreshToken,
        DestinationSeal = DestinationSeal,
        AccessTokenExpiresAt = FromUnix(AccessTokenExpiresAt),
        AccessTokenRefreshAt = FromUnix(AccessTokenRefreshAt),
        ServingSecretName = ServingSecretName,
        RefreshTokenExpiresAt = FromUnix(RefreshTokenExpiresAt),
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
