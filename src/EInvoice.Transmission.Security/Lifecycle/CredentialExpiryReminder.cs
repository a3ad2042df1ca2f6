namespace EInvoice.Transmission.Security;

/// <summary>
/// A reminder that a company's secret expires soon or has expired: raised once per credential version, secret and
/// threshold by <see cref="CredentialExpiryReminders"/>, for the host's <see cref="ICredentialExpiryNotifier"/>. It
/// names the company and the secret's field, never a value.
/// </summary>
public sealed record CredentialExpiryReminder
{
    /// <summary>The <see cref="Threshold"/> name of a secret that has expired.</summary>
    public const string ExpiredThresholdName = "expired";

    /// <summary>Gets the company.</summary>
    public required string CompanyId { get; init; }

    /// <summary>Gets the credential kind's name.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the environment the credentials belong to.</summary>
    public required TransmissionEnvironment Environment { get; init; }

    /// <summary>Gets the field name of the secret that expires, such as <c>client_secret</c>.</summary>
    public required string SecretName { get; init; }

    /// <summary>Gets when the secret expires (or expired).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// Gets the threshold that was reached, such as <c>30d</c>, <c>7d</c> or <c>1d</c>, or
    /// <see cref="ExpiredThresholdName"/>: the tag of the metric <c>eits.credentials.expiring</c>.
    /// </summary>
    public required string Threshold { get; init; }

    /// <summary>Gets a value indicating whether the secret has expired.</summary>
    public bool IsExpired => Threshold == ExpiredThresholdName;

    /// <summary>Gets the credential version the reminder belongs to: a change of the credentials starts the reminders again.</summary>
    public required long CredentialVersion { get; init; }

    /// <summary>
    /// Gets a value indicating whether the credentials' destination passed its integrity check. When it did not, the
    /// expiry is the one that was sealed (an administrator confirmed it), and the credentials are not used until reset.
    /// </summary>
    public bool IsDestinationIntact { get; init; } = true;
}
