namespace EInvoice.Transmission.Security;

/// <summary>An access token a <see cref="CredentialKind"/> obtained, with its refresh token and lifetime.</summary>
/// <param name="AccessToken">The access token, sent as <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">The refresh token, if the platform issued one; kept sealed and passed to <see cref="CredentialKind.RefreshTokenAsync"/>.</param>
/// <param name="ExpiresAt">When the access token expires.</param>
/// <param name="Lifetime">How long the access token lives from when it was requested; the refresh is scheduled from it.</param>
public sealed record IssuedToken(SecretValue AccessToken, SecretValue? RefreshToken, DateTimeOffset ExpiresAt, TimeSpan Lifetime)
{
    /// <summary>
    /// Gets the field name of the secret that obtained the token when it is not the kind's usual one, such as
    /// <see cref="OAuthClientCredentialsKind.SecondaryClientSecret"/> after the primary was refused; otherwise <see langword="null"/>.
    /// </summary>
    public string? ServingSecretName { get; init; }

    /// <summary>Gets when the refresh token expires, when the platform reported its lifetime; otherwise <see langword="null"/>.</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }
}
