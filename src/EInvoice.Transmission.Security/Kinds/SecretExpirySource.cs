namespace EInvoice.Transmission.Security;

/// <summary>
/// Where the library reads a secret's expiry from, as the kind declares it on the secret's field
/// (<see cref="CredentialField.ExpirySource"/>). An administrator can always enter an expiry with the change
/// (<see cref="CredentialUpdate.WithSecretExpiry"/>); an entered expiry takes precedence over one read from the material.
/// </summary>
/// <remarks>
/// Certificates (their <c>NotAfter</c>) are read the same way once the certificate kinds exist: they add a source here,
/// and the one reader the store calls learns it; no other part of the lifecycle changes.
/// </remarks>
public enum SecretExpirySource
{
    /// <summary>Only what the administrator enters: client secrets, passwords and most API keys say nothing about their expiry.</summary>
    Entered = 0,

    /// <summary>
    /// When the secret is a JSON Web Token (three Base64url parts) whose payload has a numeric <c>exp</c> claim, that
    /// instant (RFC 7519 section 4.1.4); otherwise nothing is read. The token's signature is not checked: the expiry is a
    /// reminder date, not an authorisation decision.
    /// </summary>
    JwtExpirationClaim = 1,
}
