namespace EInvoice.Transmission.Security;

/// <summary>Where the audit trail is stored: a hash chain of <see cref="AuditEntry"/>s.</summary>
/// <remarks>
/// <para>
/// An implementation must guarantee that the chain stays intact: it appends an entry by reading the current
/// <see cref="AuditHead"/> and storing <see cref="AuditEntry.Chain"/>(head, event) and the new head, inside one
/// transaction, with appends serialised, so that concurrent appends (from this process or others sharing the storage)
/// never fork the chain or reuse a sequence number.
/// </para>
/// <para>
/// The entries appended here and those appended with a credential write by <see cref="ICredentialRepository"/> form one
/// chain: an implementation of both keeps them in the same storage and serialises both kinds of append on the same head.
/// </para>
/// <para>
/// The token cache reads the entries after the last one it saw, once per
/// <see cref="OAuthOptions.CredentialRecheckInterval"/>, to learn which companies' credentials another process changed.
/// So an entry must become visible together with the credential write it records (one transaction) and entries in
/// sequence order: an entry must never appear after one with a higher sequence number was already readable.
/// Serialised appends on the head give both.
/// </para>
/// <para>Not-found is a <see langword="null"/> or empty result, never an exception.</para>
/// </remarks>
public interface IAuditTrailRepository
{
    /// <summary>Appends an audit entry on its own, for example for a refused change.</summary>
    /// <param name="audit">The event.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The appended, chained entry.</returns>
    Task<AuditEntry> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default);

    /// <summary>Reads audit entries in sequence order.</summary>
    /// <param name="afterSequence">Read entries after this sequence number; 0 to start at the beginning.</param>
    /// <param name="limit">The largest number of entries to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="limit"/> entries.</returns>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Reads the head of the audit chain: the sequence number and hash of the last entry appended.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The head, or <see langword="null"/> when nothing was ever appended.</returns>
    Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken = default);
}
