namespace EInvoice.Transmission.Security.Internal;

/// <summary>A token endpoint's successful answer.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="RefreshToken">The refresh token, if the endpoint issued one.</param>
/// <param name="ExpiresAt">When the token expires: the time the request was sent plus <c>expires_in</c>.</param>
/// <param name="Lifetime">The token's lifetime, <c>expires_in</c>.</param>
internal sealed record TokenResult(SecretValue AccessToken, SecretValue? RefreshToken, DateTimeOffset ExpiresAt, TimeSpan Lifetime);
