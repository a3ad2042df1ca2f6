using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>
/// A KSeF-style platform on 127.0.0.1: the auth endpoints of <see cref="KsefStyleKind"/> and an API under
/// <see cref="ApiBase"/> that answers 200 only to a currently valid access token. It checks the login proof against the
/// KSeF token it knows, so a login succeeds only if the stored secret reached the kind intact. Times come from the
/// test's fake clock. Counts every call and records the <c>Authorization</c> of every API and refresh call.
/// </summary>
public sealed class KsefApiStub : IAsyncDisposable
{
    public const string ChallengePath = "/api/v2/auth/challenge";
    public const string LoginPath = "/api/v2/auth/ksef-token";
    public const string RefreshPath = "/api/v2/auth/token/refresh";

    private readonly FakeTimeProvider _clock;
    private readonly string _ksefToken;
    private readonly string _contextNip;
    private readonly ConcurrentDictionary<string, long> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _refreshTokens = new(StringComparer.Ordinal);
    private int _challengeCalls;
    private int _loginCalls;
    private int _refreshCalls;
    private int _accessIssued;
    private int _refreshIssued;

    public KsefApiStub(FakeTimeProvider clock, string ksefToken, string contextNip)
    {
        _clock = clock;
        _ksefToken = ksefToken;
        _contextNip = contextNip;
        Server = new LoopbackHttpServer(Respond);
    }

    public LoopbackHttpServer Server { get; }

    /// <summary>The API base, as stored in <c>api_endpoint</c>.</summary>
    public Uri ApiBase => new(Server.BaseUri, "api/v2/");

    /// <summary>An API resource that needs the access token.</summary>
    public Uri Invoices => new(ApiBase, "invoices/query/metadata");

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>When set, answers a path with this failure instead (status, body, headers), before anything else.</summary>
    public Func<string, (int Status, string Body, IReadOnlyDictionary<string, string>? Headers)?>? Fault { get; set; }

    public int ChallengeCalls => Volatile.Read(ref _challengeCalls);

    public int LoginCalls => Volatile.Read(ref _loginCalls);

    public int RefreshCalls => Volatile.Read(ref _refreshCalls);

    /// <summary>The <c>Authorization</c> header of every API call (null when none).</summary>
    public ConcurrentQueue<string?> ApiAuthorizations { get; } = new();

    /// <summary>The <c>Authorization</c> header of every refresh call.</summary>
    public ConcurrentQueue<string?> RefreshAuthorizations { get; } = new();

    /// <summary>Every error body answered (faults included), as sent.</summary>
    public ConcurrentQueue<string> ErrorBodies { get; } = new();

    /// <summary>KSeF's error body.</summary>
    public static string ErrorBody(int code, string description)
        => JsonSerializer.Serialize(new KsefError(new KsefException([new KsefExceptionDetail(code, description)])), KsefStyleKind.Json);

    /// <summary>Revokes every refresh token issued so far: a refresh with one is answered 400.</summary>
    public void RevokeRefreshTokens() => _refreshTokens.Clear();

    /// <summary>The update an administrator saves for this platform.</summary>
    public CredentialUpdate Credentials(TransmissionEnvironment environment, string? ksefToken = null) => new CredentialUpdate
    {
        Kind = KsefStyleKind.KindName,
        Environment = environment,
    }
        .WithSetting(KsefStyleKind.ApiEndpoint, ApiBase)
        .WithSetting(KsefStyleKind.ContextNip, _contextNip)
        .WithSecret(KsefStyleKind.KsefToken, new SecretValue(ksefToken ?? _ksefToken));

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private static (int, string, IReadOnlyDictionary<string, string>?) Json<T>(T value) => (200, JsonSerializer.Serialize(value, KsefStyleKind.Json), null);

    private (int, string, IReadOnlyDictionary<string, string>?) Error(int status, int code, string description)
    {
        var body = ErrorBody(code, description);
        ErrorBodies.Enqueue(body);
        return (status, body, null);
    }

    private (int Status, string Body, IReadOnlyDictionary<string, string>? Headers) Respond(HttpListenerRequest request, string body)
    {
        var path = request.Url!.AbsolutePath;
        var authorization = request.Headers["Authorization"];
        switch (path)
        {
            case ChallengePath:
                Interlocked.Increment(ref _challengeCalls);
                break;
            case LoginPath:
                Interlocked.Increment(ref _loginCalls);
                break;
            case RefreshPath:
                Interlocked.Increment(ref _refreshCalls);
                RefreshAuthorizations.Enqueue(authorization);
                break;
            default:
                ApiAuthorizations.Enqueue(authorization);
                break;
        }

        if (Fault?.Invoke(path) is { } fault)
        {
            ErrorBodies.Enqueue(fault.Body);
            return fault;
        }

        var now = _clock.GetUtcNow();
        switch (path)
        {
            case ChallengePath when request.HttpMethod == "POST":
                var challenge = new AuthChallenge($"20261126-CR-{Guid.NewGuid():N}"[..32], now.ToUnixTimeMilliseconds());
                _challenges[challenge.Challenge] = challenge.TimestampMs;
                return Json(challenge);

            case LoginPath when request.HttpMethod == "POST":
                var login = JsonSerializer.Deserialize<KsefTokenRequest>(body, KsefStyleKind.Json);
                if (login is null || !_challenges.TryRemove(login.Challenge, out var timestampMs))
                {
                    return Error(400, 21401, "Unknown or used challenge.");
                }

                if (login.ContextNip != _contextNip || login.EncryptedToken != KsefStyleKind.DeriveProof(_ksefToken, login.Challenge, timestampMs))
                {
                    return Error(401, 21301, "The KSeF token is not valid for this context.");
                }

                var refresh = Issue(_refreshTokens, "ksef-refresh", ref _refreshIssued, now + RefreshTokenLifetime);
                return Json(new AuthTokens(Issue(_accessTokens, "ksef-access", ref _accessIssued, now + AccessTokenLifetime), refresh));

            case RefreshPath when request.HttpMethod == "POST":
                if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                    || !_refreshTokens.TryGetValue(authorization["Bearer ".Length..], out var refreshValidUntil) || now >= refreshValidUntil)
                {
                    return Error(400, 21304, "The refresh token is revoked or expired.");
                }

                return Json(new RefreshedToken(Issue(_accessTokens, "ksef-access", ref _accessIssued, now + AccessTokenLifetime)));

            default:
                if (!path.StartsWith(ApiBase.AbsolutePath, StringComparison.Ordinal))
                {
                    return (404, "{}", null);
                }

                return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
                    && _accessTokens.TryGetValue(authorization["Bearer ".Length..], out var validUntil) && now < validUntil
                    ? (200, "{}", null)
                    : Error(401, 21401, "No valid access token.");
        }
    }

    /// <summary>Tokens are numbered per kind: ksef-access-1, ksef-access-2, … and ksef-refresh-1, …</summary>
    private static TokenInfo Issue(ConcurrentDictionary<string, DateTimeOffset> tokens, string prefix, ref int counter, DateTimeOffset validUntil)
    {
        var token = $"{prefix}-{Interlocked.Increment(ref counter)}";
        tokens[token] = validUntil;
        return new TokenInfo(token, validUntil);
    }
}
