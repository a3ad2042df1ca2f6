namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// A company's credentials with their secrets opened. Sensitive: only the library's own token path uses it, and it
/// lives no longer than it needs to. Its secrets are <see cref="SecretValue"/>s, so printing it shows no value.
/// </summary>
internal sealed record TransmissionCredentials
{
    public required CredentialKind Kind { get; init; }

    public required CredentialValues Values { get; init; }

    public required long Version { get; init; }

    /// <summary>The endpoint whose origin the credentials may be sent to (<see cref="CredentialKind.GetApiEndpoint"/>).</summary>
    public required Uri? ApiEndpoint { get; init; }

    public string CompanyId => Values.CompanyId;

    public TransmissionEnvironment Environment => Values.Environment;

    public SecretValue? AccessToken { get; init; }

    public SecretValue? RefreshToken { get; init; }

    public DateTimeOffset? AccessTokenExpiresAt { get; init; }

    public DateTimeOffset? AccessTokenRefreshAt { get; init; }

    /// <summary>The row these were opened from: the next read reuses what is byte for byte the same.</summary>
    public StoredCredential? Source { get; init; }

    /// <summary>Every secret held, tokens included, for scrubbing error texts.</summary>
    public IEnumerable<SecretValue> Secrets()
        => Values.OpenedSecrets.Concat(new[] { AccessToken, RefreshToken }.OfType<SecretValue>());
}
