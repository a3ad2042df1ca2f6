namespace EInvoice.Transmission.Security;

/// <summary>
/// What may be shown about a company's credentials: mode, environment, endpoints, validation state and who
/// configured them. Safe to expose: it holds no secret and no token, only whether they are present.
/// </summary>
public sealed record CredentialStatus
{
    /// <summary>Gets the company.</summary>
    public required string CompanyId { get; init; }

    /// <summary>Gets the transmission mode.</summary>
    public required TransmissionMode Mode { get; init; }

    /// <summary>Gets the environment.</summary>
    public required TransmissionEnvironment Environment { get; init; }

    /// <summary>Gets a value indicating whether every field the mode needs is present and the destination is intact.</summary>
    public required bool IsConfigured { get; init; }

    /// <summary>
    /// Gets a value indicating whether the stored destination (mode, environment, endpoints, client id, scope, ASP
    /// identity) is the one sealed when it was last saved through <see cref="CredentialStore"/>. When it is not, the
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

    /// <summary>Gets the OAuth client id (not a secret).</summary>
    public string? ClientId { get; init; }

    /// <summary>Gets a value indicating whether a client secret is stored.</summary>
    public bool HasClientSecret { get; init; }

    /// <summary>Gets the OAuth token endpoint.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>Gets the platform API base address.</summary>
    public Uri? ApiEndpoint { get; init; }

    /// <summary>Gets the OAuth scope.</summary>
    public string? Scope { get; init; }

    /// <summary>Gets a value indicating whether an ASP API key is stored.</summary>
    public bool HasApiKey { get; init; }

    /// <summary>Gets the ASP API base address.</summary>
    public Uri? AspEndpoint { get; init; }

    /// <summary>Gets the company's identifier at the ASP.</summary>
    public string? AspIdentifier { get; init; }

    /// <summary>Gets the ASP's name.</summary>
    public string? AspProviderName { get; init; }

    /// <summary>Gets when the cached access token expires, if one is stored.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }
}
