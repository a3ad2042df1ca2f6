namespace EInvoice.Transmission.Security;

/// <summary>
/// A change to a company's credentials. Only the properties that are set change; every property left
/// <see langword="null"/> keeps its stored value, secrets included.
/// </summary>
/// <remarks>
/// Creating credentials needs <see cref="Mode"/>, <see cref="Environment"/> and every field that mode requires:
/// client id, client secret, token endpoint and API endpoint for <see cref="TransmissionMode.DirectDctce"/>; API key
/// and ASP endpoint for <see cref="TransmissionMode.AspProvider"/>; nothing for <see cref="TransmissionMode.Sandbox"/>.
/// Endpoints must be absolute <c>https</c> URIs (plain <c>http</c> only to a loopback address, and only when
/// <see cref="CredentialStoreOptions.AllowHttpOnLoopback"/> is set).
/// </remarks>
public sealed record CredentialUpdate
{
    /// <summary>Gets the transmission mode.</summary>
    public TransmissionMode? Mode { get; init; }

    /// <summary>Gets the environment the credentials belong to.</summary>
    public TransmissionEnvironment? Environment { get; init; }

    /// <summary>Gets the OAuth client id of a direct platform connection.</summary>
    public string? ClientId { get; init; }

    /// <summary>Gets the OAuth client secret of a direct platform connection.</summary>
    public SecretValue? ClientSecret { get; init; }

    /// <summary>Gets the OAuth token endpoint of a direct platform connection.</summary>
    public Uri? TokenEndpoint { get; init; }

    /// <summary>Gets the base address of the platform API that tokens are sent to.</summary>
    public Uri? ApiEndpoint { get; init; }

    /// <summary>Gets the OAuth scope to request; when never set, the client's configured default scope is used.</summary>
    public string? Scope { get; init; }

    /// <summary>Gets the API key of an Accredited Service Provider.</summary>
    public SecretValue? ApiKey { get; init; }

    /// <summary>Gets the base address of the Accredited Service Provider's API.</summary>
    public Uri? AspEndpoint { get; init; }

    /// <summary>Gets the company's identifier at the provider, such as its participant id.</summary>
    public string? AspIdentifier { get; init; }

    /// <summary>Gets the provider's name, for display.</summary>
    public string? AspProviderName { get; init; }

    /// <summary>
    /// Gets the version the caller last saw (<see cref="CredentialStatus.Version"/>; 0 for "must not exist yet").
    /// When set and the stored version differs, the change is refused with a <see cref="CredentialConcurrencyException"/>,
    /// so two administrators editing at once never overwrite each other silently.
    /// </summary>
    public long? ExpectedVersion { get; init; }
}
