namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// One company's cached authentication: the current snapshot (read lock-free), the one fetch in flight (single
/// flight), and the backoff after failures.
/// </summary>
internal sealed class CompanyEntry(string companyId)
{
    private readonly Lock _gate = new();
    private volatile AuthSnapshot? _current;
    private volatile TaskCompletionSource<AuthSnapshot>? _fetch;

    public string CompanyId { get; } = companyId;

    public AuthSnapshot? Current => _current;

    /// <summary>Set when the credentials changed: results of fetches still in flight are not cached any more.</summary>
    public bool IsRetired { get; private set; }

    /// <summary>
    /// The SHA-256 of the access token a 401 rejected: never the token itself. A token that hashes the same is not served
    /// or taken from storage again.
    /// </summary>
    public byte[]? RejectedAccessTokenHash { get; private set; }

    /// <summary>Whether <paramref name="token"/> is the one a 401 rejected.</summary>
    public bool IsRejected(SecretValue? token)
        => token is not null && RejectedAccessTokenHash is { } rejected
            && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(rejected, Hash(token));

    private static byte[] Hash(SecretValue token) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token.Reveal()));

    public DateTimeOffset BlockedUntil { get; private set; }

    public OAuthTokenException? LastError { get; private set; }

    public int ConsecutiveFailures { get; private set; }

    /// <summary>Where the credentials last read from storage may be sent (nothing secret): to tell whose a refusal was.</summary>
    public (TransmissionEnvironment Environment, Uri? Origin)? LastLoaded { get; private set; }

    /// <summary>
    /// The credential version the identity provider refused permanently (<c>invalid_client</c>, …), with its answer: no
    /// token is requested with that version again. A new version (a change, here or in another process) or a success
    /// clears it.
    /// </summary>
    private (long Version, OAuthTokenException Error)? _refused;

    public bool IsFetching => _fetch is not null;

    /// <summary>When a request last asked for this company, on the cache's monotonic millisecond clock; a racy plain store is enough.</summary>
    public long LastUsedMilliseconds { get; set; }

    /// <summary>Returns the fetch in flight, or registers a new one that the caller must run (<paramref name="started"/>).</summary>
    public Task<AuthSnapshot> JoinOrStartFetch(out TaskCompletionSource<AuthSnapshot>? started)
    {
        lock (_gate)
        {
            if (_fetch is { } running)
            {
                started = null;
                return running.Task;
            }

            // Continuations run asynchronously: completing the fetch must never run a waiting caller's code inline.
            started = _fetch = new TaskCompletionSource<AuthSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
            return started.Task;
        }
    }

    /// <summary>Starts a fetch only if none is in flight; for background refreshes that nobody waits for.</summary>
    public bool TryStartFetch(out TaskCompletionSource<AuthSnapshot> started)
    {
        // Read without the lock first: while a refresh runs, every request in the refresh window passes here.
        if (_fetch is not null)
        {
            started = null!;
            return false;
        }

        lock (_gate)
        {
            if (_fetch is not null)
            {
                started = null!;
                return false;
            }

            started = _fetch = new TaskCompletionSource<AuthSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    public void Succeeded(TaskCompletionSource<AuthSnapshot> fetch, AuthSnapshot snapshot)
    {
        lock (_gate)
        {
            Install(snapshot);
            _fetch = null;
        }

        fetch.SetResult(snapshot);
    }

    /// <param name="fetch">The fetch that failed.</param>
    /// <param name="error">Why.</param>
    /// <param name="blockedUntil">No new fetch before this moment.</param>
    /// <param name="drop">The snapshot to stop serving, if it is still the current one (not one installed meanwhile, by a connection test say).</param>
    public void Failed(TaskCompletionSource<AuthSnapshot> fetch, OAuthTokenException error, DateTimeOffset blockedUntil, AuthSnapshot? drop)
    {
        lock (_gate)
        {
            ConsecutiveFailures++;
            BlockedUntil = blockedUntil;
            LastError = error;
            if (drop is not null && ReferenceEquals(_current, drop))
            {
                _current = null;
            }

            _fetch = null;
        }

        fetch.SetException(error);
    }

    /// <summary>
    /// Records what was read from storage. Another version than the one being served means the credentials changed:
    /// the current snapshot is dropped, so it is never served again, whatever the fetch does next.
    /// </summary>
    public void Loaded(long version, TransmissionEnvironment environment, Uri? origin)
    {
        lock (_gate)
        {
            LastLoaded = (environment, origin);
            if (_current is { } current && current.Version != version)
            {
                _current = null;
            }
        }
    }

    /// <summary>Remembers that the identity provider refused <paramref name="version"/> permanently.</summary>
    public void Refused(long version, OAuthTokenException error)
    {
        lock (_gate)
        {
            _refused = (version, error);
        }
    }

    /// <summary>The identity provider's permanent refusal of <paramref name="version"/>, if there was one.</summary>
    public OAuthTokenException? RefusedFor(long version)
    {
        lock (_gate)
        {
            return _refused is { } refused && refused.Version == version ? refused.Error : null;
        }
    }

    /// <summary>Ends a fetch that was refused for its requester alone (another environment or origin): no failure is recorded.</summary>
    public void Abandon(TaskCompletionSource<AuthSnapshot> fetch, OAuthTokenException error)
    {
        lock (_gate)
        {
            _fetch = null;
        }

        fetch.SetException(error);
    }

    /// <summary>Forgets the snapshot if it is still the one that was rejected; a storm of 401s therefore drops it once.</summary>
    public bool Invalidate(AuthSnapshot rejected)
    {
        lock (_gate)
        {
            RejectedAccessTokenHash = rejected.AccessToken is { } token ? Hash(token) : null;
            if (!ReferenceEquals(_current, rejected))
            {
                return false;
            }

            _current = null;

            // A 401 is news the backoff did not know about: let the next caller ask for a token at once.
            BlockedUntil = default;
            return true;
        }
    }

    /// <summary>Serves <paramref name="snapshot"/> from now on, unless the credentials changed meanwhile.</summary>
    public void Replace(AuthSnapshot snapshot)
    {
        lock (_gate)
        {
            Install(snapshot);
        }
    }

    public void Retire()
    {
        lock (_gate)
        {
            IsRetired = true;
            _current = null;
        }
    }

    /// <summary>Under the lock: a good snapshot ends any backoff; it is served unless the credentials changed meanwhile.</summary>
    private void Install(AuthSnapshot snapshot)
    {
        if (!IsRetired)
        {
            _current = snapshot;
        }

        ConsecutiveFailures = 0;
        BlockedUntil = default;
        LastError = null;
        _refused = null;
    }
}
