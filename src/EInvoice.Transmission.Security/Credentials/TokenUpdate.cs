namespace EInvoice.Transmission.Security;

/// <summary>
/// The token state the token path writes on a credential row (<see cref="ITokenLeaseRepository.SaveTokensAsync"/>):
/// the four token columns together, so that a token never sits next to another token's expiry, and optionally what
/// the outcome says about the credentials.
/// </summary>
public sealed record TokenUpdate
{
    /// <summary>Gets the envelope of the access token (field <c>token.access</c>), or <see langword="null"/> to clear it.</summary>
    public byte[]? AccessToken { get; init; }

    /// <summary>Gets the envelope of the refresh token (field <c>token.refresh</c>), or <see langword="null"/> to clear it.</summary>
    public byte[]? RefreshToken { get; init; }

    /// <summary>Gets when the access token expires.</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; init; }

    /// <summary>Gets when the access token is due for a refresh.</summary>
    public DateTimeOffset? AccessTokenRefreshAt { get; init; }

    /// <summary>Gets the field name of the secret that obtained the access token when it is not the kind's usual one (a secondary client secret).</summary>
    public string? ServingSecretName { get; init; }

    /// <summary>Gets when the refresh token expires, when the platform reported it.</summary>
    public DateTimeOffset? RefreshTokenExpiresAt { get; init; }

    /// <summary>Gets whether the credentials proved to work; <see langword="null"/> leaves <see cref="StoredCredential.IsValid"/> and <see cref="StoredCredential.LastValidatedAt"/> as they are.</summary>
    public bool? IsValid { get; init; }

    /// <summary>Gets when <see cref="IsValid"/> was established; written with it.</summary>
    public DateTimeOffset? ValidatedAt { get; init; }

    /// <summary>Returns which parts are set, never a token.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
        => $"TokenUpdate {{ AccessToken = {(AccessToken is null ? "none" : "[sealed]")}, RefreshToken = {(RefreshToken is null ? "none" : "[sealed]")}, AccessTokenExpiresAt = {AccessTokenExpiresAt}, IsValid = {IsValid} }}";

    /// <summary>Applies the update to a row: what a repository stores.</summary>
    /// <param name="row">The stored row.</param>
    /// <returns>The row with the update applied (the row version is not changed here).</returns>
    public StoredCredential ApplyTo(StoredCredential row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row with
        {
            AccessToken = AccessToken,
            RefreshToken = RefreshToken,
            AccessTokenExpiresAt = AccessTokenExpiresAt,
            AccessTokenRefreshAt = AccessTokenRefreshAt,
            ServingSecretName = ServingSecretName,
            RefreshTokenExpiresAt = RefreshTokenExpiresAt,
            IsValid = IsValid ?? row.IsValid,
            LastValidatedAt = IsValid is null ? row.LastValidatedAt : ValidatedAt,
        };
    }
}
