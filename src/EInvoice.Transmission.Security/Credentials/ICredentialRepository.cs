namespace EInvoice.Transmission.Security;

/// <summary>
/// Where credential rows are stored. It stores envelopes (bytes) and plain columns and knows nothing about encryption.
/// </summary>
/// <remarks>
/// <para>
/// Writes are conditional: <see cref="UpdateAsync"/> and <see cref="DeleteAsync"/> succeed only while the stored row
/// still has the expected <see cref="StoredCredential.RowVersion"/>, and return <see langword="false"/> otherwise, so
/// no write is ever lost silently.
/// </para>
/// <para>
/// Each of the three writes takes the audit event of the change: an implementation appends it to the audit trail
/// (the same chain <see cref="IAuditTrailRepository"/> reads and appends to) in the same transaction as the credential
/// write, so the write and its audit entry are committed together or not at all, where the storage supports
/// transactions. A change is therefore never stored without its audit entry, nor audited without having happened. This
/// is why an implementation of this interface normally implements <see cref="IAuditTrailRepository"/> too, over the
/// same storage.
/// </para>
/// <para>Not-found is a <see langword="null"/> or <see langword="false"/> result, never an exception.</para>
/// <para>
/// The library also needs an <see cref="IAuditTrailRepository"/> and an <see cref="ITokenLeaseRepository"/>. When the
/// host registers only its own <see cref="ICredentialRepository"/>, the other two are taken from the same instance if it
/// implements them; if it does not, the host fails at start naming the missing interface.
/// </para>
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
    /// <param name="audit">The audit event to append to the audit trail in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the company already has credentials; nothing was written.</returns>
    Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default);

    /// <summary>Replaces a company's row if it still has <paramref name="expectedRowVersion"/>, with an audit entry.</summary>
    /// <param name="credential">The new row, whose <see cref="StoredCredential.RowVersion"/> is greater than <paramref name="expectedRowVersion"/>.</param>
    /// <param name="expectedRowVersion">The row version read before the change.</param>
    /// <param name="audit">The audit event to append to the audit trail in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the row is gone or has another row version; nothing was written.</returns>
    Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces several companies' rows, each only if it still has its expected row version, without audit entries: the
    /// batch write of key rotation, whose single audit entry is appended once the rotation is over.
    /// </summary>
    /// <remarks>
    /// The default implementation calls <see cref="UpdateAsync"/> for each row. Storage that can should write them in
    /// one transaction (the Dapper repository does): a rotation then pays one commit per batch, not one per company.
    /// A row that moved on is skipped, not a reason to undo the others. A decorator around a repository that overrides
    /// this method must forward it too; otherwise it gets the default, and one commit per row.
    /// </remarks>
    /// <param name="updates">The rows, at most one per company.</param>
    /// <param name="cancellationToken">
    /// Cancels the write: in one transaction nothing of the batch is written; row by row (the default), the rows written
    /// before stay written. Either way each row is its old or its new self.
    /// </param>
    /// <returns>The companies whose row was gone or had another row version: nothing was written for them.</returns>
    async Task<IReadOnlyCollection<string>> UpdateManyAsync(IReadOnlyList<CredentialRowUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var skipped = new List<string>();
        foreach (var update in updates)
        {
            if (!await UpdateAsync(update.Credential, update.ExpectedRowVersion, null, cancellationToken).ConfigureAwait(false))
            {
                skipped.Add(update.Credential.CompanyId);
            }
        }

        return skipped;
    }

    /// <summary>Deletes a company's row if it still has <paramref name="expectedRowVersion"/>, with an audit entry.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="expectedRowVersion">The row version read before the deletion.</param>
    /// <param name="audit">The audit event to append to the audit trail in the same transaction, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="false"/> when the row is gone or has another row version; nothing was written.</returns>
    Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default);
}
