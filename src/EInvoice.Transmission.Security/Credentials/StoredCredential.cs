namespace EInvoice.Transmission.Security;

/// <summary>
/// One company's credentials as storage sees them: plain columns and sealed envelopes. Nothing here is plaintext
/// secret material; the envelopes open only through the <see cref="CredentialVault"/> with this row's company id.
/// </summary>
/// <remarks>Treat instances, their envelopes included, as immutable: the store creates a new one for every change.</remarks>
public sealed record StoredCredential
{
    private static readonly IReadOnlyDictionary<string, string> EmptySettings = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, byte[]> EmptySecrets = new Dictionary<string, byte[]>();
    private static readonly IReadOnlyDictionary<string, DateTimeOffset> EmptyExpiries = new Dictionary<string, DateTimeOffset>();

    /// <summary>Gets the company id, the row's key.</summary>
    public required string CompanyId { get; init; }

    /// <summary>Gets the name of the credential kind (<see cref="CredentialKind.Name"/>); a 0.1 mode name is read as the kind it became.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the environment name.</summary>
    public required string Environment { get; init; }

    /// <summary>Gets the plain settings by field name, as the kind declares them.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = EmptySettings;

    /// <summary>
    /// Gets the envelopes of the secrets by field name. Each is sealed by the <see cref="CredentialVault"/> for this
    /// company and its field, so an envelope moved to another field or company does not open.
    /// </summary>
    public IReadOnlyDictionary<string, byte[]> Secrets { get; init; } = EmptySecrets;

    /// <summary>
    /// Gets the expiry of each secret that has one, by field name (millisecond precision). Sealed with the destination
    /// (<see cref="DestinationSeal"/>): an expiry moved in storage fails the row's integrity check like any other field.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> SecretExpiries { get; init; } = EmptyExpiries;

    /// <summary>Gets the envelope of the cached access token (field <c>token.access</c>).</summary>
    public byte[]? AccessToken { get; init; }

    /// <summary>Gets the envelope of the cached refresh token (field <c>token.refresh</c>).</summary>
    public byte[]? RefreshToken { get; init; }

    /// <summary>
    /// Gets the envelope (field <c>row.destination</c>) sealing where and how the secrets of this row may be sent: the
    /// kind, environment and every setting as <see cref="CredentialStore"/> wrote them, with the SHA-256 of the secret
    /// envelopes they go with. A change to any of those columns made outside the store no longer
    /// matches it, and the secrets are then not used.
    /// </summary>
    public byte[]? DestinationSeal { get; init; }

    /// <summary>Gets when the cached access token expires.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }

    /// <summary>Gets when the cached access token is due for a refresh, as the instance that obtained it computed.</summary>
    public DateTimeOffset? AccessTokenRefreshAt { get; init; }

    /// <summary>Gets the field name of the secret that obtained the cached access token when it is not the kind's usual one (a secondary client secret).</summary>
    public string? ServingSecretName { get; init; }

    /// <summary>Gets when the cached refresh token expires, when the platform reported its lifetime.</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>Gets whether the credentials last proved to work.</summary>
    public bool? IsValid { get; init; }

    /// <summary>Gets when the credentials were last checked.</summary>
    public DateTimeOffset? LastValidatedAt { get; init; }

    /// <summary>Gets when the last connection test ran.</summary>
    public DateTimeOffset? LastTestAt { get; init; }

    /// <summary>Gets whether the last connection test succeeded.</summary>
    public bool? LastTestSucceeded { get; init; }

    /// <summary>Gets the scrubbed error of the last failed connection test.</summary>
    public string? LastTestError { get; init; }

    /// <summary>Gets when the credentials were last changed.</summary>
    public required DateTimeOffset ConfiguredAt { get; init; }

    /// <summary>Gets who last changed the credentials.</summary>
    public required string ConfiguredBy { get; init; }

    /// <summary>Gets the credential version: incremented by every change of the credentials, not by token or test updates.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the row version: incremented by every write of the row. Repositories use it for optimistic concurrency.</summary>
    public required long RowVersion { get; init; }
}
