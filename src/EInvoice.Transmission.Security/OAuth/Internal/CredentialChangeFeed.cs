namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Which companies' credentials another process changed, read from the audit trail: every change writes an entry in
/// the same transaction, and entries become visible in sequence order (<see cref="IAuditTrailRepository"/>), so reading
/// the entries after the last one read misses none. One query per interval when nothing changed, one more per thousand
/// changes: O(changes), not O(companies) (issue 15).
/// </summary>
/// <remarks>
/// The position (sequence and hash of the last entry read) only moves to entries at or below the trail's head, so an
/// entry someone wrote into storage far ahead of it cannot carry the position past the real entries to come. When the
/// trail is not the one the position was taken from — the head went back (a restored backup) or the entry at the
/// position changed (a rewrite in storage) — <see cref="ReadAsync"/> says so and starts again from the head: what changed
/// meanwhile cannot be told, so the caller reads every company again.
/// </remarks>
internal sealed class CredentialChangeFeed(TokenPathGateway gateway, TimeSpan readTimeout, TimeProvider timeProvider)
{
    private readonly Lock _startLock = new();
    private Task? _start;

    /// <summary>Written by the start, then by one <see cref="ReadAsync"/> at a time.</summary>
    private AuditPosition _position;

    /// <summary>Whether the position has been read: until then there is nothing to read changes after.</summary>
    public bool IsStarted => Volatile.Read(ref _start) is { IsCompletedSuccessfully: true };

    /// <summary>
    /// Reads the position once, before the caller reads any credentials: a change committed after that read comes after
    /// the position; one committed before it is in what the credentials read returns. Read again only after a failure.
    /// </summary>
    public Task StartAsync()
    {
        if (IsStarted)
        {
            return Task.CompletedTask;
        }

        lock (_startLock)
        {
            if (_start is null || _start.IsFaulted || _start.IsCanceled)
            {
                // Started on the thread pool: a storage whose async calls complete synchronously must not read under the lock.
                _start = Task.Run(async () =>
                {
                    using var timeout = new CancellationTokenSource(readTimeout, timeProvider);
                    _position = await gateway.GetChangePositionAsync(timeout.Token).ConfigureAwait(false);
                });
            }

            return _start;
        }
    }

    /// <summary>
    /// Calls <paramref name="changed"/> for each company named by the entries after the position, up to the head, a
    /// page at a time, moving the position after each page (a failure reads only the unread pages again). Returns
    /// <see langword="false"/> when the trail is not the one read before: the position is then the head, and nothing is
    /// known of what changed meanwhile.
    /// </summary>
    public async Task<bool> ReadAsync(Action<string> changed, CancellationToken cancellationToken)
    {
        var head = await gateway.GetChangePositionAsync(cancellationToken).ConfigureAwait(false);
        if (!await gateway.IsInTrailAsync(_position, head, cancellationToken).ConfigureAwait(false))
        {
            _position = head;
            return false;
        }

        while (_position.Sequence < head.Sequence)
        {
            var (companies, next) = await gateway.ReadChangedCompaniesAsync(_position, head.Sequence, cancellationToken).ConfigureAwait(false);
            if (next.Sequence <= _position.Sequence)
            {
                // Entries below the head are missing: not the trail that was written.
                _position = head;
                return false;
            }

            foreach (var companyId in companies)
            {
                changed(companyId);
            }

            _position = next;
        }

        return true;
    }
}
