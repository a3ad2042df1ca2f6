namespace EInvoice.Transmission.Security;

/// <summary>
/// Implemented by the host to act on expiry reminders: send an e-mail, open a ticket. Register it in dependency
/// injection; <see cref="CredentialExpiryReminders"/> calls every registered notifier for each reminder.
/// </summary>
/// <remarks>
/// Delivery is at least once: a reminder whose notifier throws, or whose host stops before recording the delivery, is
/// raised again at a later scan (by this or another host sharing the database). Make the action idempotent where a
/// duplicate would hurt, for instance by keying a ticket on company, secret, credential version and threshold.
/// </remarks>
public interface ICredentialExpiryNotifier
{
    /// <summary>Acts on a reminder.</summary>
    /// <param name="reminder">The reminder; it carries no secret.</param>
    /// <param name="cancellationToken">Cancelled when the host stops or the reminder's claim runs out (<see cref="CredentialExpiryReminderOptions.ClaimDuration"/>).</param>
    /// <returns>A task that completes when the reminder was delivered; a fault means it was not.</returns>
    Task NotifyAsync(CredentialExpiryReminder reminder, CancellationToken cancellationToken);
}
