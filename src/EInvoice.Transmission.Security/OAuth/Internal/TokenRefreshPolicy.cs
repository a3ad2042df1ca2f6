using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// When the token cache refreshes a token, re-checks credentials against storage, and asks the identity provider
/// again after a failure. Every such decision of <see cref="AccessTokenCache"/> is made here, from
/// <see cref="OAuthOptions"/>, so that a reader finds the whole policy in one place and a change to it is made once.
/// </summary>
internal sealed class TokenRefreshPolicy
{
    /// <summary>The longest <c>Retry-After</c> honoured: a server must not be able to silence a company for days.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    private readonly OAuthOptions _options;

    public TokenRefreshPolicy(OAuthOptions options) => _options = options;

    /// <summary>
    /// How long before expiry a token of <paramref name="lifetime"/> is refreshed: the configured buffer, but never more
    /// than half the lifetime, so that a short-lived token is not refreshed as soon as it arrives.
    /// </summary>
    public TimeSpan RefreshBefore(TimeSpan lifetime) => Min(_options.RefreshBeforeExpiry, lifetime / 2);

    /// <summary>
    /// How long before expiry a token found in storage is refreshed: when the instance that obtained it stored when it
    /// is due, that; lacking that, <see cref="RefreshBefore"/> of what remains of it at <paramref name="now"/>.
    /// </summary>
    public TimeSpan RefreshBeforeStored(DateTimeOffset expiresAt, DateTimeOffset? storedRefreshAt, DateTimeOffset now)
        => storedRefreshAt is { } refreshAt && refreshAt <= expiresAt ? expiresAt - refreshAt : RefreshBefore(expiresAt - now);

    /// <summary>
    /// How many re-check intervals a company's row may go unread while the audit trail reports no change to it: the net
    /// for changes that bypass the library (a restored backup, a hand edit), which write no audit entry. An hour by
    /// default, so that 100,000 companies cost about 30 row reads a second, not the 1,700 a per-interval read would.
    /// </summary>
    public const int FullRecheckIntervals = 60;

    /// <summary>
    /// When credentials read at <paramref name="now"/> are read from storage again even if no change was reported:
    /// changes made through the library, here or in another process, are noticed sooner, from the audit trail, by
    /// <see cref="AccessTokenCache"/> once per <see cref="OAuthOptions.CredentialRecheckInterval"/>.
    /// </summary>
    public DateTimeOffset RecheckAt(DateTimeOffset now) => now + (_options.CredentialRecheckInterval * FullRecheckIntervals);

    /// <summary>
    /// Until when a company whose fetch failed at <paramref name="now"/> is not asked for again. A transient failure
    /// backs off (<see cref="Backoff"/>); a permanent one is not asked again with the same credentials, and storage is
    /// read again once per re-check interval to notice that they changed.
    /// </summary>
    public DateTimeOffset BlockedUntil(OAuthTokenException error, int failuresBefore, DateTimeOffset now)
        => now + (error.IsTransient ? Backoff(error, failuresBefore) : _options.CredentialRecheckInterval);

    /// <summary>
    /// The wait after a transient failure: the server's <c>Retry-After</c> (at most an hour) when it sent one; otherwise
    /// exponential from <see cref="OAuthOptions.InitialBackoff"/> up to <see cref="OAuthOptions.MaxBackoff"/>, with jitter.
    /// </summary>
    private TimeSpan Backoff(OAuthTokenException error, int failuresBefore)
    {
        if (error.RetryAfter is { } retryAfter)
        {
            return Min(retryAfter, MaxRetryAfter);
        }

        var exponential = _options.InitialBackoff * Math.Pow(2, Math.Min(failuresBefore, 20));
        var delay = Min(exponential, _options.MaxBackoff);

        // Up to a fifth less, at random, so companies that failed together do not retry together.
        return delay - (delay * (RandomNumberGenerator.GetInt32(0, 200) / 1000.0));
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
