namespace EInvoice.Transmission.Security;

/// <summary>The outcome of verifying the audit chain.</summary>
public sealed record AuditVerificationResult
{
    /// <summary>Gets a value indicating whether every entry is present, unchanged and in order.</summary>
    public required bool IsIntact { get; init; }

    /// <summary>Gets the number of entries read.</summary>
    public required long EntryCount { get; init; }

    /// <summary>Gets the sequence number of the first bad entry (changed, or missing), when the chain is broken.</summary>
    public long? FirstBrokenSequence { get; init; }

    /// <summary>Gets what is wrong with the first bad entry.</summary>
    public string? Problem { get; init; }

    /// <summary>
    /// Gets a value indicating whether entries at the end were removed: the trail has fewer entries than the
    /// <see cref="AuditCheckpoint"/> given to the verification, or than the head record says.
    /// </summary>
    public bool IsTruncated { get; init; }

    /// <summary>Gets what kind of break <see cref="FirstBrokenSequence"/> is; <see cref="AuditBreakKind.None"/> when the chain is intact.</summary>
    public AuditBreakKind Break { get; init; }

    /// <summary>
    /// Gets the number of entries at the start of the trail written before entries were keyed (version 0.1): their
    /// hashes are plain SHA-256, which someone with write access to the database could recompute.
    /// </summary>
    public long UnkeyedEntryCount { get; init; }

    /// <summary>
    /// Gets the hash of the last entry when the chain is intact. Record it with <see cref="EntryCount"/> outside the
    /// database from time to time and pass both back as an <see cref="AuditCheckpoint"/>: the keyed chain shows any
    /// changed, removed or reordered entry, but only a checkpoint shows entries cut off the end.
    /// </summary>
    public string? HeadHash { get; init; }
}
