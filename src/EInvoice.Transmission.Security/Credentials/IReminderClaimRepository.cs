namespace EInvoice.Transmission.Security;

/// <summary>
/// Where expiry reminders are claimed, so that each is raised once per credential version, secret and threshold, also
/// across restarts and between hosts sharing the storage. Implemented by the built-in repositories; a host's own
/// <see cref="ICredentialRepository"/> implements it on the same class when it uses reminders.
/// </summary>
/// <remarks>
/// A claim is a lease: while it runs, no other claimant gets the reminder; once it is completed as delivered, nobody
/// ever gets it again; completed as not delivered, or when its lease ran out unrecorded (the host stopped), the next
/// claimant gets it. Delivery is therefore at least once, with a duplicate only after a host stopped between delivering
/// and recording, or a delivery outlasted its lease.
/// </remarks>
public interface IReminderClaimRepository
{
    /// <summary>Claims a reminder unless it was delivered or someone else's claim on it still runs.</summary>
    /// <param name="claim">The reminder and the claimant.</param>
    /// <param name="now">The current time.</param>
    /// <param name="leaseUntil">When the claim runs out if not completed.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns><see langword="true"/> when the caller now holds the claim and must deliver the reminder.</returns>
    Task<bool> TryClaimReminderAsync(ReminderClaim claim, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>Completes the caller's claim: delivered (never raised again) or not (free for the next claimant at once).</summary>
    /// <param name="claim">The claim, as passed to <see cref="TryClaimReminderAsync"/>.</param>
    /// <param name="delivered">Whether the reminder was delivered.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the claim was recorded; nothing changes when someone else holds it by now.</returns>
    Task CompleteReminderAsync(ReminderClaim claim, bool delivered, DateTimeOffset now, CancellationToken cancellationToken = default);
}
