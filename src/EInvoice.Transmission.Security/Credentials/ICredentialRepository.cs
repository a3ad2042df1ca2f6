namespace EInvoice.Transmission.Security;

/// <summary>
/// Where credentials and the audit trail are stored. It stores envelopes (bytes) and plain columns and knows
/// nothing about encryption.
/// </summary>
/// <remarks>
/// <para>
/// Writes are conditional: <see cref="UpdateAsync"/> and <see cref="DeleteAsync"/> succeed only while the stored row
/// still has the expected <see cref="StoredCredential.RowVersion"/>, and return <see langword="false"/> otherwise, so
/// no write is ever lost silently. Each credential write and its audit entry are committed together or not at all
/// where the storage supports transactions.
/// </para>
/// <para>
/// The audit trail is a hash chain: an implementation appends an entry by reading the current <see cref="AuditHead"/>
/// and storing <see cref="AuditEntry.Chain"/>(head, event) and the new head, inside one transaction, with appends
/// serialised.
/// </para>
/// <para>Not-found is a <see langword="null"/> or <see langword="false"/> result, never an exception.</para>
/// </remarks>
public interface ICredentialRepository
{
    /// <summary>Reads a company's credentials.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row, or <see langword="null"/> when the company has none.</returns>
    Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default);

    /// <summary>Reads credentials in company id order (ordinal), for batch work such as key rotation.</summary>
    /// <param name="afterCompanyId">Read companies after this id; <see langword="null"/> to start at the beginning.</param>
    /// <param name="limit">The largest number of rows to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="limit"/> rows.</returns>
    Task<IReadOnlyList<StoredCredential>> ListAsync(string? afterCompanyId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Stores a company's first credentials, with an audit entry.</summary>
    /// <param name="credential">The new row.</param>
    /// <param name="audit">The audit event to append in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the company already has credentials; nothing was written.</returns>
    Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default);

    /// <summary>Replaces a company's row if it still has <paramref name="expectedRowVersion"/>, with an audit entry.</summary>
    /// <param name="credential">The new row, whose <see cref="StoredCredential.RowVersion"/> is greater than <paramref name="expectedRowVersion"/>.</param>
    /// <param name="expectedRowVersion">The row version read before the change.</param>
    /// <param name="audit">The audit event to append in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the row is gone or has another row version; nothing was written.</returns>
    Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default);

    /// <summary>Deletes a company's row if it still has <paramref name="expectedRowVersion"/>, with an audit entry.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="expectedRowVersion">The row version read before the deletion.</param>
    /// <param name="audit">The audit event to append in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the row is gone or has another row version; nothing was written.</returns>
    Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Takes a short lease on a company's token acquisition, so that several processes sharing the storage request
    /// one token between them. Succeeds when the lease is free, expired, or already held by <paramref name="owner"/>.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="owner">A process-unique owner id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expiresAt">When the lease lapses if it is never released.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when <paramref name="owner"/> holds the lease; <see langword="false"/> when another owner does or the company has no row.</returns>
    Task<bool> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease held by <paramref name="owner"/>; does nothing when another owner holds it.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="owner">The owner id used to acquire it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default);
}
