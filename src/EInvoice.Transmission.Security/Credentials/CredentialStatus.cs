namespace EInvoice.Transmission.Security;

/// <summary>
/// What may be shown about a company's credentials: kind, environment, plain settings, which secrets are stored,
/// validation state and who configured them. Safe to expose: it holds no secret and no token, only whether they are present.
/// </summary>
public sealed record CredentialStatus
{
    /// <summary>Gets the company.</summary>
    public required string CompanyId { get; init; }

    /// <summary>Gets the credential kind's name.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the environment.</summary>
    public required TransmissionEnvironment Environment { get; init; }

    /// <summary>Gets a value indicating whether the kind is registered, every field it requires is present and the destination is intact.</summary>
    public required bool IsConfigured { get; init; }

    /// <summary>
    /// Gets a value indicating whether the stored destination (kind, environment, settings, and which secret envelopes
    /// go with them) is the one sealed when it was last saved through <see cref="CredentialStore"/>. When it is not, the
    /// columns were changed outside the store (or the seal's key left the ring): the shown endpoints are not to be
    /// trusted, no secret is sent until an administrator replaces the whole destination, and
    /// <see cref="TamperedFields"/> names what differs.
    /// </summary>
    public bool IsDestinationIntact { get; init; } = true;

    /// <summary>Gets the names of the destination fields that failed the integrity check (all of them when the seal is missing or unreadable); empty when intact.</summary>
    public IReadOnlyList<string> TamperedFields { get; init; } = [];

    /// <summary>Gets whether the credentials last proved to work (token acquired, connection test passed); <see langword="null"/> when never checked since the last change.</summary>
    public bool? IsValid { get; init; }

    /// <summary>Gets when the credentials were last checked.</summary>
    public DateTimeOffset? LastValidatedAt { get; init; }

    /// <summary>Gets the last connection test since the last change, if any.</summary>
    public ConnectionTestResult? LastConnectionTest { get; init; }

    /// <summary>Gets when the credentials were last changed.</summary>
    public required DateTimeOffset ConfiguredAt { get; init; }

    /// <summary>Gets who last changed the credentials.</summary>
    public required string ConfiguredBy { get; init; }

    /// <summary>Gets the version, which every change increments; pass it as <see cref="CredentialUpdate.ExpectedVersion"/>.</summary>
    public required long Version { get; init; }

    /// <summary>Gets the plain settings by field name (none of them is secret).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the names of the secrets that are stored; never their values.</summary>
    public IReadOnlyList<string> SecretNames { get; init; } = [];

    /// <summary>Gets when the cached access token expires, if one is stored.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }

    /// <summary>
    /// Gets the expiry of each secret that has one, by field name: entered by an administrator or read from the material
    /// (a JWT's <c>exp</c>). When <see cref="IsDestinationIntact"/> is <see langword="false"/>, the expiries as they were
    /// sealed, not as they are stored.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> SecretExpiries { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>
    /// Gets the field name of the secret that obtained the current access token when it is not the kind's usual one:
    /// <see cref="OAuthClientCredentialsKind.SecondaryClientSecret"/> while the primary client secret is refused.
    /// <see langword="null"/> when the usual secret serves (or no token is stored).
    /// </summary>
    public string? ServingSecretName { get; init; }

    /// <summary>
    /// Gets when the stored refresh token expires, read from the token response when the platform reports it
    /// (<c>refresh_expires_in</c>, <c>refresh_token_expires_in</c>; a KSeF refresh token lives at most seven days); the
    /// library logs in again by itself once it has expired.
    /// </summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>
    /// Gets the fields staged to replace the current ones (<see cref="CredentialRollover"/>), such as
    /// <c>staged.client_secret</c>; empty when nothing is staged. The current credentials serve until promotion.
    /// </summary>
    public IReadOnlyList<string> StagedFields { get; init; } = [];

    /// <summary>Gets the earliest of <see cref="SecretExpiries"/>: when the first secret stops working, or <see langword="null"/> when none has an expiry.</summary>
    public DateTimeOffset? ExpiresAt => SecretExpiries.Count == 0 ? null : SecretExpiries.Values.Min();

    /// <summary>Gets the field name of the secret whose expiry is <see cref="ExpiresAt"/>, or <see langword="null"/>.</summary>
    public string? FirstToExpire => SecretExpiries.Count == 0 ? null : SecretExpiries.MinBy(static e => (e.Value, e.Key)).Key;

    /// <summary>Returns whether a secret is stored.</summary>
    /// <param name="name">The secret's field name, such as <see cref="OAuthClientCredentialsKind.ClientSecret"/>.</param>
    /// <returns><see langword="true"/> when it is stored.</returns>
    public bool HasSecret(string name) => SecretNames.Contains(name);

    /// <summary>Returns a plain setting, or <see langword="null"/> when it is not set.</summary>
    /// <param name="name">The setting's field name.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? GetSetting(string name) => Settings.GetValueOrDefault(name);
}
