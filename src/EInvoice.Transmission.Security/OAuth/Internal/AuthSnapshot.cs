using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// What the handler attaches to a company's requests, fixed at one moment: immutable, so the hot path reads it
/// without a lock. A new snapshot replaces the old one when a token is refreshed or the credentials are re-checked.
/// </summary>
internal sealed class AuthSnapshot
{
    private static readonly KeyValuePair<string, string>[] NoHeaders = [];

    /// <summary>The most origins <see cref="SharedOrigins"/> keeps; past it a snapshot keeps its own.</summary>
    private const int MaxSharedOrigins = 10_000;

    /// <summary>
    /// One <see cref="Uri"/> per origin (scheme, host, port) for all snapshots: companies on one platform share one API
    /// origin, so the origin check of a cache hit reads one object every hit keeps in the CPU cache, instead of each
    /// company's own <see cref="Uri"/> and its parsed parts — three to four memory loads that miss once a host serves
    /// tens of thousands of companies (issue 15, goal 4). Only the origin is compared, so the shared URI is the origin
    /// alone (no company's path or query is kept).
    /// </summary>
    private static readonly ConcurrentDictionary<string, Uri> SharedOrigins = new(StringComparer.Ordinal);

    private AuthSnapshot(TransmissionCredentials credentials, Uri? origin, DateTimeOffset expiresAt, DateTimeOffset refreshAt, DateTimeOffset recheckAt)
    {
        CompanyId = credentials.CompanyId;
        UsesAccessToken = credentials.Kind.UsesAccessToken;
        Environment = credentials.Environment;
        Version = credentials.Version;
        Origin = origin is null ? null : Shared(origin);
        ExpiresAt = expiresAt;
        RefreshAt = refreshAt;
        RecheckAt = recheckAt;
        MaintainAt = refreshAt < recheckAt ? refreshAt : recheckAt;
    }

    public string CompanyId { get; }

    /// <summary>Whether the snapshot carries an access token, so that a 401 is answered with a new one.</summary>
    public bool UsesAccessToken { get; }

    public TransmissionEnvironment Environment { get; }

    /// <summary>The credential version the snapshot was built from.</summary>
    public long Version { get; }

    /// <summary>The only origin (scheme, host, port) credentials are sent to; <see langword="null"/> when none is stored (nothing is attached).</summary>
    public Uri? Origin { get; }

    public AuthenticationHeaderValue? Authorization { get; private init; }

    public SecretValue? AccessToken { get; private init; }

    public SecretValue? RefreshToken { get; private init; }

    /// <summary>The kind's other headers: an array, so that the hot path loops over it without an enumerator.</summary>
    public KeyValuePair<string, string>[] Headers { get; private init; } = NoHeaders;

    /// <summary>After this the snapshot must not be used.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>From this moment a background refresh is due.</summary>
    public DateTimeOffset RefreshAt { get; }

    /// <summary>From this moment the credentials are compared with storage again.</summary>
    public DateTimeOffset RecheckAt { get; }

    /// <summary>The earlier of <see cref="RefreshAt"/> and <see cref="RecheckAt"/>.</summary>
    public DateTimeOffset MaintainAt { get; }

    /// <summary>
    /// <see cref="MaintainAt"/> on the cache's cheap monotonic millisecond clock: the hot path compares with this one
    /// value. Set once by the cache before the snapshot is published.
    /// </summary>
    public long MaintainAtMilliseconds { get; set; } = long.MinValue;

    /// <summary>The only origin the credentials may be sent to: the kind's API endpoint (<see cref="CredentialKind.GetApiEndpoint"/>).</summary>
    public static Uri? OriginOf(TransmissionCredentials credentials) => credentials.ApiEndpoint;

    /// <summary>
    /// Refuses a request whose client is for another environment than the credentials, or that goes to another origin
    /// than they were stored for; checked before anything is attached and before any token is requested.
    /// </summary>
    /// <exception cref="OAuthTokenException">The environment or the origin does not match.</exception>
    public static void EnsureAllowed(string companyId, TransmissionEnvironment credentialsEnvironment, Uri? origin, in Requester requester)
    {
        if (Fits(credentialsEnvironment, origin, requester))
        {
            return;
        }

        if (credentialsEnvironment != requester.Environment)
        {
            throw OAuthTokenException.Mismatch(
                companyId, OAuthTokenException.EnvironmentMismatch, $"the credentials are for {credentialsEnvironment}, the client for {requester.Environment}");
        }

        if (origin is not null && !IsSameOrigin(requester.RequestUri, origin))
        {
            // Credentials go only where they were stored for: never to a host named by a redirect or a bad URL.
            throw OAuthTokenException.Mismatch(
                companyId,
                OAuthTokenException.EndpointMismatch,
                $"the request goes to {OriginText.Of(requester.RequestUri) ?? "no address"}, the credentials are for {OriginText.Of(origin)}");
        }
    }

    /// <summary>Whether a request of <paramref name="requester"/> may carry credentials of this environment and origin.</summary>
    public static bool Fits(TransmissionEnvironment credentialsEnvironment, Uri? origin, in Requester requester)
        => credentialsEnvironment == requester.Environment && (origin is null || IsSameOrigin(requester.RequestUri, origin));

    /// <summary>Whether a request may carry these credentials.</summary>
    /// <exception cref="OAuthTokenException">The environment or the origin does not match.</exception>
    public void EnsureAllowed(in Requester requester) => EnsureAllowed(CompanyId, Environment, Origin, requester);

    private static Uri Shared(Uri origin)
    {
        var key = string.Concat(origin.Scheme, "://", origin.IdnHost, ":", origin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return SharedOrigins.TryGetValue(key, out var shared) ? shared
            : SharedOrigins.Count < MaxSharedOrigins ? SharedOrigins.GetOrAdd(key, static k => new Uri(k + "/"))
            : origin;
    }

    private static bool IsSameOrigin(Uri? requestUri, Uri origin)
        => requestUri is { IsAbsoluteUri: true }
            && requestUri.Port == origin.Port
            && string.Equals(requestUri.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(requestUri.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>A token kind's snapshot: the access token as <c>Authorization: Bearer</c>, with the kind's other headers.</summary>
    public static AuthSnapshot ForBearer(TransmissionCredentials credentials, SecretValue accessToken, SecretValue? refreshToken, DateTimeOffset expiresAt, TimeSpan refreshBefore, DateTimeOffset recheckAt)
    {
        // A bearer token without an origin would go to any host: never built (the cache refuses such credentials first).
        _ = OriginOf(credentials) ?? throw new InvalidOperationException("A bearer token is only attached for credentials that name their API endpoint.");
        var headers = Collect(credentials);
        return new(credentials, OriginOf(credentials), expiresAt, expiresAt - refreshBefore, recheckAt)
        {
            AccessToken = accessToken,
            RefreshToken = refreshToken,
            Authorization = new AuthenticationHeaderValue("Bearer", accessToken.Reveal()),
            Headers = headers is null ? NoHeaders : [.. headers.Headers],
        };
    }

    /// <summary>A static kind's snapshot (API key, Basic, none): its headers, unchanged until the credentials change.</summary>
    public static AuthSnapshot ForStatic(TransmissionCredentials credentials, DateTimeOffset recheckAt)
    {
        var headers = Collect(credentials);
        return new(credentials, OriginOf(credentials), DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, recheckAt)
        {
            Authorization = headers?.Authorization,
            Headers = headers is null ? NoHeaders : [.. headers.Headers],
        };
    }

    /// <summary>The kind's headers; none for credentials that go nowhere (no API endpoint).</summary>
    /// <exception cref="OAuthTokenException">The kind failed to build its headers; its exception is not kept, as it may hold anything.</exception>
    private static CredentialHeaders? Collect(TransmissionCredentials credentials)
    {
        if (OriginOf(credentials) is null)
        {
            return null;
        }

        try
        {
            return credentials.Kind.CollectHeaders(credentials.Values);
        }
        catch (Exception ex) when (ex is not OAuthTokenException)
        {
            throw OAuthTokenException.Permanent(
                credentials.CompanyId,
                OAuthTokenException.CredentialsUnreadable,
                $"credential kind '{credentials.Kind.Name}' could not build its headers ({ex.GetType().Name}); save the credentials again");
        }
    }

    /// <summary>The same snapshot, checked against storage again until <paramref name="recheckAt"/>.</summary>
    public AuthSnapshot WithRecheckAt(DateTimeOffset recheckAt) => new(this, recheckAt);

    private AuthSnapshot(AuthSnapshot other, DateTimeOffset recheckAt)
    {
        CompanyId = other.CompanyId;
        UsesAccessToken = other.UsesAccessToken;
        Environment = other.Environment;
        Version = other.Version;
        Origin = other.Origin;
        Authorization = other.Authorization;
        AccessToken = other.AccessToken;
        RefreshToken = other.RefreshToken;
        Headers = other.Headers;
        ExpiresAt = other.ExpiresAt;
        RefreshAt = other.RefreshAt;
        RecheckAt = recheckAt;
        MaintainAt = RefreshAt < recheckAt ? RefreshAt : recheckAt;
    }
}
