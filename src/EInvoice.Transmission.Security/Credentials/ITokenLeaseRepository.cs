namespace EInvoice.Transmission.Security;

/// <summary>
/// Where the short cross-process lease on a company's token request is kept, so that several processes sharing the
/// storage request one token between them, and where the token path writes the tokens it obtained. Each method is one
/// round trip, so that a token request costs at most three: read, lease (with a fresh read), save (with the release).
/// </summary>
/// <remarks>
/// <para>
/// An implementation must guarantee that at most one owner holds a company's unexpired lease at any time, across every
/// process sharing the storage: <see cref="TryAcquireLeaseAsync"/> is an atomic compare-and-set. A lease exists only
/// for a company that has a credential row (it is dropped with the row), and taking or releasing it never changes the
/// row's <see cref="StoredCredential.RowVersion"/>, so a lease never conflicts with a credential write (saving tokens
/// does: it is a write of the row).
/// </para>
/// <para>Taking or releasing a lease is not a credential change: it is never audited.</para>
/// </remarks>
public interface ITokenLeaseRepository
{
    /// <summary>
    /// Takes a short lease on a company's token acquisition, so that several processes sharing the storage request
    /// one token between them. Succeeds when the lease is free, expired, or already held by <paramref name="owner"/>.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="owner">A process-unique owner id.</param>
    /// <param name="now">The current time.</param>
    /// <param name="expiresAt">When the lease lapses if it is never released.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// The credential row as it is when <paramref name="owner"/> took the lease (read in the same round trip, so the
    /// caller sees what another process may have stored up to that moment); <see langword="null"/> when another owner
    /// holds the lease or the company has no row.
    /// </returns>
    Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease held by <paramref name="owner"/>; does nothing when another owner holds it.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="owner">The owner id used to acquire it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes tokens on a company's row if its credentials are still at <paramref name="version"/>, incrementing the row
    /// version, and in the same write releases the lease of <paramref name="releaseLeaseOf"/> if it holds one.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="version">The credential version (<see cref="StoredCredential.Version"/>) the tokens were obtained with.</param>
    /// <param name="tokens">The token state to write (<see cref="TokenUpdate.ApplyTo"/>).</param>
    /// <param name="releaseLeaseOf">The lease owner whose lease to release, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// <see langword="true"/> when the tokens were written; <see langword="false"/> when the row is gone or at another
    /// version (then nothing is written, and the lease is released all the same).
    /// </returns>
    Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default);
}
