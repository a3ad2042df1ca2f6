namespace EInvoice.Transmission.Security;

/// <summary>
/// What the caller knows about the audit trail from an earlier verification, recorded outside the database: how many
/// entries it had and, optionally, the hash of the last one. Verification against a checkpoint detects a trail cut
/// short, which the chain alone cannot show.
/// </summary>
/// <param name="EntryCount">The number of entries the trail had (<see cref="AuditVerificationResult.EntryCount"/>).</param>
/// <param name="HeadHash">The hash of entry <paramref name="EntryCount"/> (<see cref="AuditVerificationResult.HeadHash"/>), or <see langword="null"/> to check the count only.</param>
public sealed record AuditCheckpoint(long EntryCount, string? HeadHash = null);
