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
    /// Gets the hash of the last entry when the chain is intact. Record it outside the database from time to time:
    /// someone able to rewrite the whole table could rebuild a consistent chain, but not one that ends in a hash
    /// recorded elsewhere.
    /// </summary>
    public string? HeadHash { get; init; }
}
