namespace EInvoice.Transmission.Security;

/// <summary>
/// One reminder as storage claims it (<see cref="IReminderClaimRepository"/>): its key is company, credential version,
/// secret and threshold; the claimant names the host that holds it.
/// </summary>
/// <param name="CompanyId">The company.</param>
/// <param name="CredentialVersion">The credential version.</param>
/// <param name="SecretName">The secret's field name.</param>
/// <param name="Threshold">The threshold's name, such as <c>7d</c> or <c>expired</c>.</param>
/// <param name="ExpiresAt">When the secret expires, recorded with the claim.</param>
/// <param name="Claimant">The host that claims it (<see cref="CredentialExpiryReminderOptions.HostName"/>).</param>
public sealed record ReminderClaim(string CompanyId, long CredentialVersion, string SecretName, string Threshold, DateTimeOffset ExpiresAt, string Claimant);
