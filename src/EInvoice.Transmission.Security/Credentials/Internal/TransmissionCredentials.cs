namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// A company's credentials with their secrets opened. Sensitive: only the library's own token path uses it, and it
/// lives no longer than it needs to. Its secrets are <see cref="SecretValue"/>s, so printing it shows no value.
/// </summary>
internal sealed record TransmissionCredentials
{
    public required string CompanyId { get; init; }

    public required TransmissionMode Mode { get; init; }

    public required TransmissionEnvironment Environment { get; init; }

    public required long Version { get; init; }

    public string? ClientId { get; init; }

    public SecretValue? ClientSecret { get; init; }

    public Uri? TokenEndpoint { get; init; }

    public Uri? ApiEndpoint { get; init; }

    public string? Scope { get; init; }

    public SecretValue? ApiKey { get; init; }

    public Uri? AspEndpoint { get; init; }

    public string? AspIdentifier { get; init; }

    public SecretValue? AccessToken { get; init; }

    public SecretValue? RefreshToken { get; init; }

    public DateTimeOffset? AccessTokenExpiresAt { get; init; }

    public DateTimeOffset? AccessTokenRefreshAt { get; init; }

    /// <summary>Every secret held, for scrubbing error texts.</summary>
    public IEnumerable<SecretValue> Secrets()
        => new[] { ClientSecret, ApiKey, AccessToken, RefreshToken }.OfType<SecretValue>();
}
