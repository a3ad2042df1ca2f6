using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The long-lived side of <see cref="OAuthTokenProvider"/>: per company, the credentials to attach (a bearer token or
/// API-key headers), kept fresh in the background.
/// </summary>
/// <remarks>
/// <para>
/// Hot path: a dictionary lookup and two time comparisons, no lock, no I/O, no allocation. Everything else — loading
/// credentials, token requests, refresh ahead of expiry, re-checking the credentials against storage — runs as one
/// fetch per company at a time (single flight). A fetch runs on its own timeout, never on a caller's token, so a
/// caller that gives up does not cancel the fetch the others wait for.
/// </para>
/// <para>
/// The cache key is the company id; each snapshot carries the environment and credential version it was built from.
/// A change through this process's <see cref="CredentialStore"/> drops the company at once; a change by another
/// process is noticed within <see cref="OAuthOptions.CredentialRecheckInterval"/>: once per interval
/// <see cref="CredentialChangeFeed"/> reads the audit trail's new entries, which name every company whose credentials
/// changed, and those companies are dropped. That costs O(changes), not O(companies) (issue 15). As a net for what bypasses the library and writes no audit
/// entry (a restored backup, a hand edit), each company's row is also read again at least every
/// <see cref="TokenRefreshPolicy.FullRecheckIntervals"/> intervals.
/// </para>
/// <para>
/// Storage is reached through <see cref="TokenPathGateway"/> only; <see cref="CredentialStore"/> is held for its
/// <see cref="CredentialStore.CredentialsChanged"/> event. When to refresh, re-check and back off is decided by
/// <see cref="TokenRefreshPolicy"/>.
/// </para>
/// </remarks>
internal sealed class AccessTokenCache : IDisposable
{
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a caller whose credentials fit asks again after joining fetches other clients started and had refused.</summary>
    private const int MaxAttemptsAfterOthersMismatch = 4;

    private readonly ConcurrentDictionary<string, CompanyEntry> _entries = new(StringComparer.Ordinal);
    private readonly CredentialStore _store;
    private readonly TokenPathGateway _gateway;
    private readonly TokenClient _tokenClient;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly OAuthOptions _options;
    private readonly TokenRefreshPolicy _policy;
    private readonly TimeProvider _timeProvider;
    private readonly bool _systemClock;
    private readonly long _timestampsPerMillisecond;
    private readonly TransmissionTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly string _leaseOwner = $"{System.Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly ITimer _idleSweep;
    private readonly ITimer _changePoll;
    private readonly CredentialChangeFeed _changes;
    private readonly CancellationTokenSource _stopping = new();
    private int _changePollRunning;
    private int _completedChangePolls;

    public AccessTokenCache(
        CredentialStore store,
        TokenPathGateway gateway,
        TokenClient tokenClient,
        IHttpClientFactory httpClientFactory,
        IOptions<OAuthOptions> options,
        TimeProvider timeProvider,
        TransmissionTelemetry telemetry,
        ILogger<AccessTokenCache> logger)
    {
        _store = store;
        _gateway = gateway;
        _tokenClient = tokenClient;
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _policy = new TokenRefreshPolicy(_options);
        _timeProvider = timeProvider;
        _systemClock = ReferenceEquals(timeProvider, TimeProvider.System);
        _timestampsPerMillisecond = Math.Max(1, timeProvider.TimestampFrequency / 1000);
        _telemetry = telemetry;
        _logger = logger;
        _store.CredentialsChanged += OnCredentialsChanged;

        // Companies that stopped sending are forgotten after IdleCompanyEviction, checked a few times per period.
        var sweepEvery = TimeSpan.FromTicks(Math.Clamp(_options.IdleCompanyEviction.Ticks / 4, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerMinute));
        _idleSweep = timeProvider.CreateTimer(static state => ((AccessTokenCache)state!).EvictIdle(), this, sweepEvery, sweepEvery);
        _changes = new CredentialChangeFeed(gateway, _options.TokenRequestTimeout, timeProvider);
        _changePoll = timeProvider.CreateTimer(
            static state => ((AccessTokenCache)state!).PollChanges(), this, _options.CredentialRecheckInterval, _options.CredentialRecheckInterval);
    }

    public TransmissionTelemetry Telemetry => _telemetry;

    /// <summary>
    /// Returns what to attach to a request of <paramref name="requester"/> for <paramref name="companyId"/>;
    /// synchronously on a cache hit. The requester's environment and request origin are checked before anything else,
    /// a token request included.
    /// </summary>
    /// <exception cref="OAuthTokenException">Nothing can be attached.</exception>
    public ValueTask<AuthSnapshot> GetAsync(string companyId, in Requester requester, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(companyId, out var entry) && entry.Current is { } snapshot)
        {
            var nowMilliseconds = MonotonicMilliseconds();
            entry.LastUsedMilliseconds = nowMilliseconds;
            if (nowMilliseconds < snapshot.MaintainAtMilliseconds)
            {
                snapshot.EnsureAllowed(requester);
                _telemetry.CacheHit();
                return new ValueTask<AuthSnapshot>(snapshot);
            }

            var now = _timeProvider.GetUtcNow();
            if (now < snapshot.ExpiresAt)
            {
                // Due for a refresh or a re-check: keep serving this one while that happens in the background. The
                // re-check starts even for a request that does not fit, since it may be what another process changed.
                StartBackgroundFetch(entry, now, requester);
                snapshot.EnsureAllowed(requester);
                _telemetry.CacheHit();
                return new ValueTask<AuthSnapshot>(snapshot);
            }
        }

        return new ValueTask<AuthSnapshot>(AcquireAsync(companyId, requester, cancellationToken));
    }

    /// <summary>Whether a fetch (token request, refresh or re-check) is running for the company; for tests and diagnostics.</summary>
    public bool IsFetching(string companyId) => _entries.TryGetValue(companyId, out var entry) && entry.IsFetching;

    /// <summary>
    /// After a 401: forgets <paramref name="rejected"/> if it is still current. Returns whether it was; a storm of 401s
    /// for one token therefore leads to one token request.
    /// </summary>
    public bool Invalidate(AuthSnapshot rejected)
        => _entries.TryGetValue(rejected.CompanyId, out var entry) && entry.Invalidate(rejected);

    /// <summary>Acquires a new token (or calls the API with a static kind's headers) for the company and records the outcome on its credentials.</summary>
    public async Task<ConnectionTestResult> TestConnectionAsync(string companyId, CancellationToken cancellationToken)
    {
        var testedAt = _timeProvider.GetUtcNow();
        TransmissionCredentials? credentials;
        await _changes.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        // The entry the new token goes to is taken before the credentials are read: a change noticed meanwhile retires it,
        // and a retired entry serves nothing, so a token of the old credentials is not installed for the new ones.
        var entry = _entries.GetOrAdd(companyId, static id => new CompanyEntry(id));
        try
        {
            credentials = await _gateway.GetCredentialsAsync(companyId, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialVaultException)
        {
            return new ConnectionTestResult(testedAt, false, "The stored credentials cannot be opened: their key is not in the key ring, or they were modified.");
        }

        if (credentials is null)
        {
            return new ConnectionTestResult(testedAt, false, $"No credentials are stored for company '{companyId}'.");
        }

        string? error = null;

        // A failure that says nothing about the credentials (network, timeout, server error, redirect) is reported
        // but leaves their validity as it was.
        var transient = false;
        if (credentials.Kind.UsesAccessToken)
        {
            try
            {
                EnsureTokenDestination(credentials);
                var token = await RequestTokenAsync(credentials, refreshToken: null, cancellationToken).ConfigureAwait(false);
                var (snapshot, _) = await PersistAsync(credentials, token, null, cancellationToken).ConfigureAwait(false);

                // The new token is good: serve it rather than let the cache ask for another.
                entry.Replace(Schedule(snapshot));
            }
            catch (OAuthTokenException ex)
            {
                error = ex.Message;
                transient = ex.IsTransient;
                if (!ex.IsTransient)
                {
                    Drop(companyId);
                    await ClearTokensQuietlyAsync(companyId, credentials.Version).ConfigureAwait(false);
                }
            }
        }
        else if (credentials.ApiEndpoint is not null)
        {
            try
            {
                // Only credentials that attach something are tried: there is nothing to test for none.
                var probe = AuthSnapshot.ForStatic(credentials, DateTimeOffset.MaxValue);
                if (probe.Authorization is not null || probe.Headers.Length > 0)
                {
                    (error, transient) = await ProbeAsync(probe, credentials, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OAuthTokenException ex)
            {
                error = ex.Message;
            }
        }

        var result = new ConnectionTestResult(testedAt, error is null, SecretScrubber.Scrub(error, credentials.Secrets()));
        await _gateway.RecordConnectionTestAsync(companyId, credentials.Version, result, credentials.Secrets(), changesValidity: !transient, cancellationToken).ConfigureAwait(false);
        _logger.ConnectionTested(companyId, result.Succeeded);
        return result;
    }

    /// <summary>
    /// Tries credentials that are not stored as the current ones (staged for promotion): a token request (or an API call
    /// with a static kind's headers), nothing cached, stored or recorded. The error is scrubbed of every secret.
    /// </summary>
    public async Task<ConnectionTestResult> TestCandidateAsync(TransmissionCredentials candidate, CancellationToken cancellationToken)
    {
        var testedAt = _timeProvider.GetUtcNow();
        string? error = null;
        try
        {
            if (candidate.Kind.UsesAccessToken)
            {
                EnsureTokenDestination(candidate);
                var token = await RequestTokenAsync(candidate, refreshToken: null, cancellationToken).ConfigureAwait(false);
                if (token.ServingSecretName is { } fallback)
                {
                    // The kind fell back to another secret (a secondary client secret): the candidate's own first
                    // choice was refused, so it is not what the test is meant to prove works.
                    error = $"the platform refused the candidate's first secret; the token came with '{SecretFields.Audit(fallback)}' instead";
                }
            }
            else if (candidate.ApiEndpoint is not null)
            {
                var probe = AuthSnapshot.ForStatic(candidate, DateTimeOffset.MaxValue);
                if (probe.Authorization is not null || probe.Headers.Length > 0)
                {
                    (error, _) = await ProbeAsync(probe, candidate, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OAuthTokenException ex)
        {
            error = ex.Message;
        }

        return new ConnectionTestResult(testedAt, error is null, SecretScrubber.Scrub(error, candidate.Secrets()));
    }

    public void Dispose()
    {
        _store.CredentialsChanged -= OnCredentialsChanged;
        _idleSweep.Dispose();
        _changePoll.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>How many polls for changes made elsewhere have ended; for tests.</summary>
    public int CompletedChangePolls => Volatile.Read(ref _completedChangePolls);

    /// <summary>Whether the company is in the cache; for tests and diagnostics.</summary>
    public bool IsCached(string companyId) => _entries.ContainsKey(companyId);

    /// <summary>
    /// The companies whose last token request failed and that have not had a token since, from memory only (no I/O):
    /// for health checks. At most <paramref name="max"/>, those that failed most often first.
    /// </summary>
    public IReadOnlyList<CompanyTokenProblem> Problems(int max)
    {
        var problems = new List<CompanyTokenProblem>();
        foreach (var (companyId, entry) in _entries)
        {
            if (entry.ConsecutiveFailures > 0 && entry.LastError is { } error)
            {
                problems.Add(new CompanyTokenProblem(companyId, error.Error ?? OAuthTokenException.UnrecognizedError, !error.IsTransient, entry.ConsecutiveFailures, entry.BlockedUntil, (int?)error.StatusCode));
            }
        }

        return [.. problems.OrderByDescending(static p => p.ConsecutiveFailures).ThenBy(static p => p.CompanyId, StringComparer.Ordinal).Take(max)];
    }

    /// <summary>Forgets companies no request asked for within <see cref="OAuthOptions.IdleCompanyEviction"/> (none with a fetch running).</summary>
    private void EvictIdle()
    {
        var idleBefore = MonotonicMilliseconds() - (long)_options.IdleCompanyEviction.TotalMilliseconds;
        foreach (var (companyId, entry) in _entries)
        {
            if (!entry.IsFetching && entry.LastUsedMilliseconds < idleBefore && _entries.TryRemove(KeyValuePair.Create(companyId, entry)))
            {
                entry.Retire();
            }
        }
    }

    /// <summary>
    /// Once per re-check interval: drops the companies whose credentials another process changed, or every company when
    /// the audit trail is not the one changes were read from.
    /// </summary>
    private void PollChanges()
    {
        if (!_changes.IsStarted || Interlocked.Exchange(ref _changePollRunning, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
                if (!await _changes.ReadAsync(OnChangedElsewhere, linked.Token).ConfigureAwait(false))
                {
                    _logger.AuditTrailNotContinued(_entries.Count);
                    foreach (var companyId in _entries.Keys)
                    {
                        OnChangedElsewhere(companyId);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && _stopping.IsCancellationRequested)
            {
                // Disposed while polling: nothing to report.
            }
            catch (Exception ex)
            {
                _logger.CredentialChangesNotRead(ex.GetType().Name, _options.CredentialRecheckInterval);
            }
            finally
            {
                Volatile.Write(ref _changePollRunning, 0);
                Interlocked.Increment(ref _completedChangePolls);
            }
        }, CancellationToken.None);
    }

    private void OnChangedElsewhere(string companyId)
    {
        if (_entries.ContainsKey(companyId))
        {
            OnCredentialsChanged(companyId);
        }
    }

    private static string Fingerprint(SecretValue token)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Reveal())))[..8];

    private async Task<AuthSnapshot> AcquireAsync(string companyId, Requester requester, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var entry = _entries.GetOrAdd(companyId, static id => new CompanyEntry(id));
            entry.LastUsedMilliseconds = MonotonicMilliseconds();
            var now = _timeProvider.GetUtcNow();
            if (entry.Current is { } current && now < current.ExpiresAt)
            {
                StartBackgroundFetch(entry, now, requester);
                current.EnsureAllowed(requester);
                return current;
            }

            // Backing off after a failure: answer at once rather than ask the identity provider again.
            if (now < entry.BlockedUntil && entry.LastError is { } last && !entry.IsFetching)
            {
                throw last.WithRetryAfter(last.IsTransient ? entry.BlockedUntil - now : null);
            }

            var task = entry.JoinOrStartFetch(out var started);
            if (started is not null)
            {
                _ = Task.Run(() => RunFetchAsync(entry, started, requester, background: false), CancellationToken.None);
            }

            AuthSnapshot snapshot;
            try
            {
                snapshot = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OAuthTokenException ex) when (IsMismatch(ex) && attempt < MaxAttemptsAfterOthersMismatch && entry.LastLoaded is { } loaded
                && AuthSnapshot.Fits(loaded.Environment, loaded.Origin, requester))
            {
                // The fetch this caller joined was started by a client of another environment or origin and refused
                // for that one; the credentials it loaded fit this caller, which asks again on its own account.
                continue;
            }

            snapshot.EnsureAllowed(requester);
            return snapshot;
        }
    }

    /// <summary>The identity provider refused exactly these credentials: asking again could only be refused again.</summary>
    private static void ThrowIfRefused(CompanyEntry entry, long version)
    {
        if (entry.RefusedFor(version) is { } refused)
        {
            throw refused.WithRetryAfter(null);
        }
    }

    private static bool IsMismatch(OAuthTokenException error)
        => error.Error is OAuthTokenException.EnvironmentMismatch or OAuthTokenException.EndpointMismatch;

    private void StartBackgroundFetch(CompanyEntry entry, DateTimeOffset now, in Requester requester)
    {
        if (now < entry.BlockedUntil || !entry.TryStartFetch(out var fetch))
        {
            return;
        }

        // Nobody awaits a background fetch: observe its failure so it is not reported as unobserved.
        fetch.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var forRequester = requester;
        _ = Task.Run(() => RunFetchAsync(entry, fetch, forRequester, background: true), CancellationToken.None);
    }

    /// <summary>Runs on the thread pool, never on a caller's stack or token: the fetch belongs to everyone waiting for it.</summary>
    private async Task RunFetchAsync(CompanyEntry entry, TaskCompletionSource<AuthSnapshot> fetch, Requester requester, bool background)
    {
        var previous = entry.Current;
        try
        {
            var snapshot = await FetchAsync(entry, requester).ConfigureAwait(false);
            if (background && previous is not null && !ReferenceEquals(snapshot.AccessToken, previous.AccessToken))
            {
                _telemetry.Refreshed("success");
            }

            entry.Succeeded(fetch, Schedule(snapshot));
        }
        catch (OAuthTokenException ex) when (IsMismatch(ex))
        {
            // The requester's client does not fit the credentials: nothing was asked of the identity provider, and the
            // company is fine for the clients that do fit, so no backoff and no failure are recorded.
            entry.Abandon(fetch, ex);
        }
        catch (Exception ex)
        {
            var error = ex as OAuthTokenException
                ?? OAuthTokenException.Transient(entry.CompanyId, OAuthTokenException.StorageUnavailable, "the credentials could not be read", inner: ex);
            if (background && previous is not null)
            {
                _telemetry.Refreshed("failure");
            }

            // A transient failure backs off; a permanent one is not asked again with the same credentials (see
            // FetchAsync), and storage is read again once per re-check interval to notice that they changed.
            var now = _timeProvider.GetUtcNow();
            var blockedUntil = _policy.BlockedUntil(error, entry.ConsecutiveFailures, now);
            _logger.TokenRequestFailed(entry.CompanyId, error.Error, (int?)error.StatusCode, error.IsTransient, blockedUntil);

            // From the first failure on, the exception says when the library will ask again.
            error = error.WithRetryAfter(error.IsTransient ? blockedUntil - now : null);

            // A transient failure keeps a still-valid token in service; a permanent one (or an expired token) drops it.
            var dropCurrent = !error.IsTransient || previous is null || now >= previous.ExpiresAt;
            if (error.Error == OAuthTokenException.CredentialsNotFound)
            {
                _entries.TryRemove(KeyValuePair.Create(entry.CompanyId, entry));
            }

            entry.Failed(fetch, error, blockedUntil, dropCurrent ? previous : null);
        }
    }

    /// <summary>
    /// Loads the credentials and decides: keep the snapshot, reuse a persisted token, or request a new one — the last
    /// only for a requester whose environment and origin fit the credentials, and never again with credentials the
    /// identity provider refused.
    /// </summary>
    private async Task<AuthSnapshot> FetchAsync(CompanyEntry entry, Requester requester)
    {
        var companyId = entry.CompanyId;
        using var activity = TransmissionTelemetry.ActivitySource.StartActivity("eits.token.acquire");
        activity?.SetTag("eits.company_id", companyId);

        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout + _options.TokenRequestTimeout, _timeProvider);
        await _changes.StartAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
        var credentials = await LoadCredentialsAsync(entry, null, timeout.Token).ConfigureAwait(false);
        activity?.SetTag("eits.kind", credentials.Kind.Name);

        // Snapshots that need no token request are installed whoever asked: the caller checks its own fit. That is how
        // a change made by another process (a new endpoint, another environment) replaces what this one serves.
        if (WithoutTokenRequest(entry, credentials) is { } answer)
        {
            return answer;
        }

        // A token is requested only for a requester the credentials fit, and never with refused credentials (checked
        // before the lease too, so that a refused company costs no lease write per re-check).
        EnsureTokenDestination(credentials);
        AuthSnapshot.EnsureAllowed(companyId, credentials.Environment, AuthSnapshot.OriginOf(credentials), requester);
        ThrowIfRefused(entry, credentials.Version);

        // The lease comes with the row as it is at that moment (one round trip): another process may have stored a
        // token, and released its lease, between the read above and this lease. Without this second look both would
        // request a token. Secrets that did not change are not opened again.
        var now = _timeProvider.GetUtcNow();
        var underLease = await LeaseCredentialsAsync(entry, now, credentials, timeout.Token).ConfigureAwait(false);
        var leased = underLease is not null;
        var released = false;
        try
        {
            if (underLease is not null)
            {
                credentials = underLease;
                if (WithoutTokenRequest(entry, credentials) is { } storedMeanwhile)
                {
                    return storedMeanwhile;
                }
            }
            else if (await WaitForOtherProcessAsync(entry, credentials, timeout.Token).ConfigureAwait(false) is { } shared)
            {
                // Another process is requesting this company's token: it landed in storage.
                return shared;
            }

            // Read again since the first check (under the lease, or from the other process): check the latest.
            AuthSnapshot.EnsureAllowed(companyId, credentials.Environment, AuthSnapshot.OriginOf(credentials), requester);
            ThrowIfRefused(entry, credentials.Version);

            IssuedToken token;
            try
            {
                token = await RequestTokenAsync(credentials, entry.Current?.RefreshToken ?? credentials.RefreshToken, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OAuthTokenException ex) when (!ex.IsTransient)
            {
                // Seed behaviour: a failed token operation clears the cached tokens, in storage as in memory.
                entry.Refused(credentials.Version, ex);
                released = await ClearTokensQuietlyAsync(companyId, credentials.Version, leased ? _leaseOwner : null).ConfigureAwait(false);
                throw;
            }

            activity?.SetTag("eits.token.expires_at", token.ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

            // Stored with the lease released in the same write: the third and last round trip of a token request.
            (var snapshot, released) = await PersistAsync(credentials, token, leased ? _leaseOwner : null, CancellationToken.None).ConfigureAwait(false);
            return snapshot;
        }
        finally
        {
            if (leased && !released)
            {
                await ReleaseLeaseQuietlyAsync(companyId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What the credentials answer without a token request: the API-key or sandbox snapshot, the current token when a
    /// re-check found nothing changed, or a good token in storage; <see langword="null"/> when a token must be requested.
    /// </summary>
    private AuthSnapshot? WithoutTokenRequest(CompanyEntry entry, TransmissionCredentials credentials)
    {
        var now = _timeProvider.GetUtcNow();
        var recheckAt = _policy.RecheckAt(now);
        if (!credentials.Kind.UsesAccessToken)
        {
            return AuthSnapshot.ForStatic(credentials, recheckAt);
        }

        // Before any token is served, stored or requested: a token goes to the kind's API endpoint only.
        EnsureTokenDestination(credentials);

        // A re-check that found the same credentials and a token not yet due: keep it.
        if (entry.Current is { } current && current.Version == credentials.Version && now < current.RefreshAt
            && !entry.IsRejected(current.AccessToken))
        {
            return current.WithRecheckAt(recheckAt);
        }

        // A stored token other than the one being refreshed: a restart, or another instance refreshed it first.
        if (Persisted(entry, credentials, now) is { } persisted && persisted.AccessToken!.Reveal() != entry.Current?.AccessToken?.Reveal())
        {
            _logger.PersistedTokenReused(entry.CompanyId, persisted.ExpiresAt);
            return persisted;
        }

        return null;
    }

    /// <summary>
    /// Reads the company's credentials. A version other than the one being served means they changed (here or in
    /// another process): the old snapshot is not served again, whatever happens next.
    /// </summary>
    /// <remarks>
    /// <paramref name="previous"/> is this fetch's earlier read, if any: envelopes that did not change are not opened
    /// again. Nothing opened is kept between fetches — the cache keeps what it sends, no more (issue 15: memory per
    /// company).
    /// </remarks>
    private async Task<TransmissionCredentials> LoadCredentialsAsync(CompanyEntry entry, TransmissionCredentials? previous, CancellationToken cancellationToken)
    {
        var companyId = entry.CompanyId;
        try
        {
            var credentials = await _gateway.GetCredentialsAsync(companyId, previous, cancellationToken).ConfigureAwait(false)
                ?? throw OAuthTokenException.Permanent(companyId, OAuthTokenException.CredentialsNotFound, "no credentials are stored for this company");
            Loaded(entry, credentials);
            return credentials;
        }
        catch (CredentialVaultException ex)
        {
            throw OAuthTokenException.Permanent(companyId, OAuthTokenException.CredentialsUnreadable, "the stored credentials cannot be opened", inner: ex);
        }
    }

    /// <summary>Takes the lease with the credentials as they are then; <see langword="null"/> when another process holds it.</summary>
    private async Task<TransmissionCredentials?> LeaseCredentialsAsync(CompanyEntry entry, DateTimeOffset now, TransmissionCredentials previous, CancellationToken cancellationToken)
    {
        try
        {
            var credentials = await _gateway.TryAcquireTokenLeaseAsync(entry.CompanyId, _leaseOwner, now, now + _options.TokenRequestTimeout, previous, cancellationToken).ConfigureAwait(false);
            if (credentials is not null)
            {
                Loaded(entry, credentials);
            }

            return credentials;
        }
        catch (CredentialVaultException ex)
        {
            throw OAuthTokenException.Permanent(entry.CompanyId, OAuthTokenException.CredentialsUnreadable, "the stored credentials cannot be opened", inner: ex);
        }
    }

    private static void Loaded(CompanyEntry entry, TransmissionCredentials credentials)
    {
        entry.Loaded(credentials.Version, credentials.Environment, AuthSnapshot.OriginOf(credentials));
    }

    /// <summary>A token in storage that is still good: left by an earlier run of this process or by another one.</summary>
    private AuthSnapshot? Persisted(CompanyEntry entry, TransmissionCredentials credentials, DateTimeOffset now)
    {
        if (credentials.AccessToken is not { } token || credentials.AccessTokenExpiresAt is not { } expiresAt
            || entry.IsRejected(token))
        {
            return null;
        }

        var refreshBefore = _policy.RefreshBeforeStored(expiresAt, credentials.AccessTokenRefreshAt, now);
        var snapshot = AuthSnapshot.ForBearer(credentials, token, credentials.RefreshToken, expiresAt, refreshBefore, _policy.RecheckAt(now));
        return now < snapshot.RefreshAt ? snapshot : null;
    }

    private async Task<AuthSnapshot?> WaitForOtherProcessAsync(CompanyEntry entry, TransmissionCredentials previous, CancellationToken cancellationToken)
    {
        var giveUpAt = _timeProvider.GetUtcNow() + _options.TokenRequestTimeout;
        var credentials = previous;
        while (_timeProvider.GetUtcNow() < giveUpAt)
        {
            await Task.Delay(LeasePollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            credentials = await LoadCredentialsAsync(entry, credentials, cancellationToken).ConfigureAwait(false);
            if (WithoutTokenRequest(entry, credentials) is { } shared)
            {
                return shared;
            }
        }

        return null;
    }

    /// <summary>A refresh when there is a refresh token, falling back to a login (the kind's token request) when it fails.</summary>
    private async Task<IssuedToken> RequestTokenAsync(TransmissionCredentials credentials, SecretValue? refreshToken, CancellationToken cancellationToken)
    {
        if (refreshToken is not null)
        {
            try
            {
                return await RequestAsync(credentials, refreshToken, TokenClient.RefreshTokenGrant, cancellationToken).ConfigureAwait(false);
            }
            catch (OAuthTokenException ex)
            {
                _logger.RefreshTokenRejected(credentials.CompanyId, ex.Error);
            }
        }

        return await RequestAsync(credentials, null, TokenClient.ClientCredentialsGrant, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IssuedToken> RequestAsync(TransmissionCredentials credentials, SecretValue? refreshToken, string grant, CancellationToken cancellationToken)
    {
        try
        {
            var token = await KindRequestAsync(credentials, refreshToken, cancellationToken).ConfigureAwait(false);
            _telemetry.TokenRequested(grant, "success");
            _logger.TokenAcquired(credentials.CompanyId, grant, token.ExpiresAt);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.TokenFingerprint(credentials.CompanyId, Fingerprint(token.AccessToken));
            }

            return token;
        }
        catch (OAuthTokenException)
        {
            _telemetry.TokenRequested(grant, "failure");
            throw;
        }
    }

    /// <summary>
    /// Asks the kind for a token under the library's timeout. The built-in OAuth kind's errors are already filtered; a
    /// host's kind is not trusted to have done so: its description is scrubbed of every secret of the company, and any
    /// other exception is reported by its type alone.
    /// </summary>
    private async Task<IssuedToken> KindRequestAsync(TransmissionCredentials credentials, SecretValue? refreshToken, CancellationToken cancellationToken)
    {
        var kind = credentials.Kind;
        var context = new TokenRequestContext(credentials.Values, _httpClientFactory.CreateClient(EInvoiceTransmissionDefaults.TokenHttpClientName), _timeProvider, _tokenClient);
        if (kind is OAuthClientCredentialsKind)
        {
            return refreshToken is null
                ? await kind.RequestTokenAsync(context, cancellationToken).ConfigureAwait(false)
                : await kind.RefreshTokenAsync(context, refreshToken, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var secrets = credentials.Secrets().Append(refreshToken).OfType<SecretValue>().ToList();
        IssuedToken? token;
        try
        {
            token = await (refreshToken is null ? kind.RequestTokenAsync(context, linked.Token) : kind.RefreshTokenAsync(context, refreshToken, linked.Token))
                .WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OAuthTokenException ex)
        {
            // The same filter as the built-in kind's identity provider text: an error code or nothing, a description
            // without secrets, token-like runs or control characters, at most 256 characters.
            throw OAuthTokenException.Answer(
                credentials.CompanyId,
                (ex.Error is { } error ? TokenClient.TrustedErrorCode(error, secrets) : null) ?? OAuthTokenException.UnrecognizedError,
                TokenClient.TrustedDescription(ex.ErrorDescription, secrets),
                ex.StatusCode,
                ex.IsTransient,
                ex.RetryAfter);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw OAuthTokenException.Transient(
                credentials.CompanyId, OAuthTokenException.Timeout, $"credential kind '{kind.Name}' got no token within {_options.TokenRequestTimeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception's message and inner exceptions may carry anything the kind had in hand: not kept.
            throw OAuthTokenException.Transient(
                credentials.CompanyId, OAuthTokenException.NetworkError, $"credential kind '{kind.Name}' failed with {ex.GetType().Name}", (ex as HttpRequestException)?.StatusCode);
        }

        // The same bar as the built-in kind's token responses: a header-safe token that lives at least a second.
        return token is { AccessToken: { } access } && FieldNameRules.IsHeaderValue(access.Reveal()) && token.Lifetime >= TimeSpan.FromSeconds(1)
            ? token
            : throw OAuthTokenException.Transient(
                credentials.CompanyId,
                OAuthTokenException.InvalidTokenResponse,
                $"credential kind '{kind.Name}' returned no usable token (one without control characters or surrounding white space, living at least a second)");
    }

    /// <summary>A token kind's token goes to its API endpoint only: without one it would go anywhere.</summary>
    private static void EnsureTokenDestination(TransmissionCredentials credentials)
    {
        if (credentials.ApiEndpoint is null)
        {
            throw OAuthTokenException.Permanent(credentials.CompanyId, OAuthTokenException.CredentialsUnreadable, $"credential kind '{credentials.Kind.Name}' names no API endpoint to send its token to");
        }
    }

    /// <summary>
    /// Stores the token sealed, so a restart or another instance reuses it, releasing <paramref name="releaseLeaseOf"/>'s
    /// lease in the same write; a storage failure only costs that reuse. Returns whether the write went through.
    /// </summary>
    private async Task<(AuthSnapshot Snapshot, bool Written)> PersistAsync(TransmissionCredentials credentials, IssuedToken token, string? releaseLeaseOf, CancellationToken cancellationToken)
    {
        var refreshBefore = _policy.RefreshBefore(token.Lifetime);
        var now = _timeProvider.GetUtcNow();
        var snapshot = AuthSnapshot.ForBearer(credentials, token.AccessToken, token.RefreshToken, token.ExpiresAt, refreshBefore, _policy.RecheckAt(now));
        try
        {
            if (token.ServingSecretName is { } serving)
            {
                _logger.SecondarySecretServing(credentials.CompanyId, serving);
            }

            await _gateway.SaveTokensAsync(credentials.CompanyId, credentials.Version, token.AccessToken, token.RefreshToken, token.ExpiresAt, snapshot.RefreshAt, releaseLeaseOf, token.ServingSecretName, token.RefreshTokenExpiresAt, cancellationToken).ConfigureAwait(false);
            return (snapshot, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.TokenNotPersisted(credentials.CompanyId, ex.GetType().Name);
            return (snapshot, false);
        }
    }

    /// <summary>
    /// Calls the API endpoint with a static kind's headers: anything but a redirect, 401, 403 or a server error means
    /// the credentials were accepted. Returns the error, and whether it says nothing about the credentials (transient).
    /// </summary>
    private async Task<(string? Error, bool Transient)> ProbeAsync(AuthSnapshot snapshot, TransmissionCredentials credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, credentials.ApiEndpoint);
        request.Headers.Authorization = snapshot.Authorization;
        foreach (var (name, value) in snapshot.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var client = _httpClientFactory.CreateClient(EInvoiceTransmissionDefaults.TokenHttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is 401 or 403 ? ($"The API refused the credentials (HTTP {status}).", false)
                : status >= 500 ? ($"The API answered with a server error (HTTP {status}).", true)
                : status is >= 300 and < 400 ? ($"The API answered with a redirect (HTTP {status}); credentials are never sent on to where it points.", true)
                : (null, false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ("The API did not answer in time.", true);
        }
        catch (HttpRequestException ex)
        {
            return ($"The API could not be reached ({ex.HttpRequestError}).", true);
        }
    }

    /// <summary>
    /// Milliseconds on a monotonic clock: <see cref="Environment.TickCount64"/> for the system clock (a quarter of the
    /// cost of reading the wall clock, which the hot path would otherwise do on every request), the time provider's
    /// timestamp otherwise, so that a fake clock drives it in tests.
    /// </summary>
    private long MonotonicMilliseconds()
        => _systemClock ? Environment.TickCount64 : _timeProvider.GetTimestamp() / _timestampsPerMillisecond;

    /// <summary>Sets the snapshot's deadline on the monotonic clock, before it is published.</summary>
    private AuthSnapshot Schedule(AuthSnapshot snapshot)
    {
        var remaining = snapshot.MaintainAt - _timeProvider.GetUtcNow();
        snapshot.MaintainAtMilliseconds = remaining <= TimeSpan.Zero
            ? long.MinValue
            : MonotonicMilliseconds() + (long)Math.Min(remaining.TotalMilliseconds, long.MaxValue / 4);
        return snapshot;
    }


    private void Drop(string companyId)
    {
        if (_entries.TryRemove(companyId, out var entry))
        {
            entry.Retire();
        }
    }

    private void OnCredentialsChanged(string companyId)
    {
        _logger.CredentialsChangedTokenDropped(companyId);
        Drop(companyId);
    }

    /// <summary>Clears the stored tokens (and releases <paramref name="releaseLeaseOf"/>'s lease); returns whether the write went through.</summary>
    private async Task<bool> ClearTokensQuietlyAsync(string companyId, long version, string? releaseLeaseOf = null)
    {
        try
        {
            await _gateway.ClearTokensAsync(companyId, version, markInvalid: true, releaseLeaseOf, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.TokenNotPersisted(companyId, ex.GetType().Name);
            return false;
        }
    }

    private async Task ReleaseLeaseQuietlyAsync(string companyId)
    {
        try
        {
            await _gateway.ReleaseTokenLeaseAsync(companyId, _leaseOwner, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lease lapses by itself after TokenRequestTimeout.
            _logger.TokenNotPersisted(companyId, ex.GetType().Name);
        }
    }
}
