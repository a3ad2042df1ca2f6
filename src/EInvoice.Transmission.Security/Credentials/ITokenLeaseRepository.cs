namespace EInvoice.Transmission.Security;

/// <summary>
/// Where the short cross-process lease on a company's token request is kept, so that several processes sharing the
/// storage request one token between them.
/// </summary>
/// <remarks>
/// <para>
/// An implementation must guarantee that at most one owner holds a company's unexpired lease at any time, across every
/// process sharing the storage: <see cref="TryAcquireLeaseAsync"/> is an atomic compare-and-set. A lease exists only
/// for a company that has a credential row (it is dropped with the row), and taking or releasing it never changes the
/// row's <see cref="StoredCredential.RowVersion"/>, so a lease never conflicts with a credential write.
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
    /// <returns><see langword="true"/> when <paramref name="owner"/> holds the lease; <see langword="false"/> when another owner does or the company has no row.</returns>
    Task<bool> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease held by <paramref name="owner"/>; does nothing when another owner holds it.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="owner">The owner id used to acquire it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the lease is released.</returns>
    Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default);
}
