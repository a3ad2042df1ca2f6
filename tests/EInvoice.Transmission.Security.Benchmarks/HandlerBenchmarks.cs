using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// One request through <see cref="OAuthTokenProvider"/> on a cache hit, for a company with a cached bearer token and
/// for an API-key company (<c>X-API-Key</c>), each against a baseline: the handler's hot path as of commit 7974b66
/// (before credential kinds), reproduced in <see cref="Handler7974b66"/>. A handler that sets a constant
/// Authorization header (<see cref="BareHandler"/>) shows the floor. The terminal handler returns a cached response,
/// so only the handlers are measured; every benchmark of a case sends the same request object, which names its company.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class HandlerBenchmarks
{
    private const string Bearer = "Bearer";
    private const string ApiKey = "ApiKey";

    private ServiceProvider _services = null!;
    private HttpMessageInvoker _withProvider = null!;
    private HttpMessageInvoker _with7974b66Bearer = null!;
    private HttpMessageInvoker _with7974b66ApiKey = null!;
    private HttpMessageInvoker _withBareHandler = null!;
    private HttpRequestMessage _bearerRequest = null!;
    private HttpRequestMessage _apiKeyRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = Bench.Services(new TokenEndpointStub());
        Bench.SetCredentialsAsync(_services, Bench.CompanyId).GetAwaiter().GetResult();
        Bench.SetApiKeyAsync(_services, Bench.ApiKeyCompanyId).GetAwaiter().GetResult();
        var cache = _services.GetRequiredService<AccessTokenCache>();
        var terminal = new CachedResponseHandler();
        _withProvider = new HttpMessageInvoker(
            new OAuthTokenProvider(cache, TransmissionEnvironment.Production, NullLogger<OAuthTokenProvider>.Instance) { InnerHandler = terminal },
            disposeHandler: false);
        _withBareHandler = new HttpMessageInvoker(new ConstantAuthorizationHandler { InnerHandler = terminal }, disposeHandler: false);
        _bearerRequest = new HttpRequestMessage(HttpMethod.Post, Bench.ApiEndpoint).SetCompanyId(Bench.CompanyId);
        _apiKeyRequest = new HttpRequestMessage(HttpMethod.Post, Bench.ApiEndpoint).SetCompanyId(Bench.ApiKeyCompanyId);

        // Warm the cache: the measured requests are all cache hits. (The response is the terminal's shared one: not disposed.)
        _withProvider.SendAsync(_bearerRequest, CancellationToken.None).GetAwaiter().GetResult();
        _withProvider.SendAsync(_apiKeyRequest, CancellationToken.None).GetAwaiter().GetResult();

        // The baselines attach what the current snapshots hold, in the 7974b66 snapshot's shape.
        var bearer = Snapshot(cache, Bench.CompanyId);
        var apiKey = Snapshot(cache, Bench.ApiKeyCompanyId);
        Check(bearer.UsesAccessToken && bearer.Authorization is not null && bearer.Headers.Length == 0, "the bearer company's snapshot is not a bare token");
        Check(!apiKey.UsesAccessToken && apiKey.Authorization is null && apiKey.Headers is [{ Key: "X-API-Key" }], "the API-key company's snapshot is not one X-API-Key header");
        _with7974b66Bearer = new HttpMessageInvoker(
            new Handler7974b66(cache, TransmissionEnvironment.Production, Snapshot7974b66.ForBearer(bearer.Authorization!)) { InnerHandler = terminal },
            disposeHandler: false);
        _with7974b66ApiKey = new HttpMessageInvoker(
            new Handler7974b66(cache, TransmissionEnvironment.Production, Snapshot7974b66.ForApiKey(apiKey.Headers[0])) { InnerHandler = terminal },
            disposeHandler: false);

        // Each handler attaches the same credentials to its request.
        foreach (var (invoker, request) in new[] { (_withProvider, _bearerRequest), (_with7974b66Bearer, _bearerRequest), (_withProvider, _apiKeyRequest), (_with7974b66ApiKey, _apiKeyRequest) })
        {
            request.Headers.Clear();
            invoker.SendAsync(request, CancellationToken.None).GetAwaiter().GetResult();

            Check(
                request == _bearerRequest
                    ? ReferenceEquals(request.Headers.Authorization, bearer.Authorization) && !request.Headers.Contains("X-API-Key")
                    : request.Headers.Authorization is null && request.Headers.GetValues("X-API-Key").SequenceEqual([apiKey.Headers[0].Value]),
                "a handler attached other credentials than expected");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true), BenchmarkCategory(Bearer)]
    public Task<HttpResponseMessage> CachedToken7974b66() => _with7974b66Bearer.SendAsync(_bearerRequest, CancellationToken.None);

    [Benchmark, BenchmarkCategory(Bearer)]
    public Task<HttpResponseMessage> OAuthTokenProviderCachedToken() => _withProvider.SendAsync(_bearerRequest, CancellationToken.None);

    [Benchmark, BenchmarkCategory(Bearer)]
    public Task<HttpResponseMessage> BareHandler() => _withBareHandler.SendAsync(_bearerRequest, CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory(ApiKey)]
    public Task<HttpResponseMessage> ApiKey7974b66() => _with7974b66ApiKey.SendAsync(_apiKeyRequest, CancellationToken.None);

    [Benchmark, BenchmarkCategory(ApiKey)]
    public Task<HttpResponseMessage> OAuthTokenProviderApiKey() => _withProvider.SendAsync(_apiKeyRequest, CancellationToken.None);

    private static AuthSnapshot Snapshot(AccessTokenCache cache, string companyId)
    {
        var pending = cache.GetAsync(companyId, new Requester(TransmissionEnvironment.Production, Bench.ApiEndpoint), CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("HandlerBenchmarks set-up: the cache was not warm.");
    }

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException("HandlerBenchmarks set-up: " + problem + ".");
        }
    }

    /// <summary>
    /// The hot path of <see cref="OAuthTokenProvider.SendAsync"/> as of commit 7974b66, before credential kinds:
    /// the same cache call (<see cref="AccessTokenCache.GetAsync"/> is unchanged since: company lookup, monotonic
    /// clock, environment and origin check, hit counter), then the old <c>Authorize</c> switch on the mode, with the
    /// API-key headers in an <see cref="IReadOnlyList{T}"/>. Only the cache-hit path is reproduced; the snapshot's
    /// shape comes from <see cref="Snapshot7974b66"/>, built from the cache's current snapshot.
    /// </summary>
    private sealed class Handler7974b66(AccessTokenCache cache, TransmissionEnvironment environment, Snapshot7974b66 legacy) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var companyId = request.GetCompanyId()
                ?? throw new InvalidOperationException(
                    "The request names no company: call request.SetCompanyId(companyId) so that OAuthTokenProvider knows whose credentials to attach.");

            var pending = cache.GetAsync(companyId, new Requester(environment, request.RequestUri), cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The 7974b66 baseline reproduces the cache hit only.");
            }

            var current = pending.Result;
            var snapshot = legacy;
            Authorize(request, snapshot);
            var sending = base.SendAsync(request, cancellationToken);

            // With a token, watch for a 401 — unless the answer is already here and is not one (no continuation needed).
            return snapshot.Mode != Mode7974b66.DirectDctce
                || (sending.IsCompletedSuccessfully && sending.Result.StatusCode != HttpStatusCode.Unauthorized)
                ? sending
                : RetryOnUnauthorizedAsync(current, sending);
        }

        /// <summary>7974b66's <c>Authorize</c>, verbatim but for the type names.</summary>
        private static void Authorize(HttpRequestMessage request, Snapshot7974b66 snapshot)
        {
            switch (snapshot.Mode)
            {
                case Mode7974b66.DirectDctce:
                    request.Headers.Authorization = snapshot.Authorization;
                    break;
                case Mode7974b66.AspProvider:
                    foreach (var (name, value) in snapshot.Headers)
                    {
                        request.Headers.Remove(name);
                        request.Headers.TryAddWithoutValidation(name, value);
                    }

                    break;
            }
        }

        private static async Task<HttpResponseMessage> RetryOnUnauthorizedAsync(AuthSnapshot used, Task<HttpResponseMessage> sending)
        {
            var response = await sending.ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.Unauthorized
                ? throw new InvalidOperationException($"The 7974b66 baseline does not retry ({used.CompanyId}).")
                : response;
        }
    }

    private enum Mode7974b66
    {
        DirectDctce,
        AspProvider,
    }

    /// <summary>The part of 7974b66's <c>AuthSnapshot</c> that <c>Authorize</c> reads, built as its factories built it.</summary>
    private sealed class Snapshot7974b66
    {
        private Snapshot7974b66(Mode7974b66 mode) => Mode = mode;

        public Mode7974b66 Mode { get; }

        public AuthenticationHeaderValue? Authorization { get; private init; }

        /// <summary>Headers of the API-key mode.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; private init; } = [];

        public static Snapshot7974b66 ForBearer(AuthenticationHeaderValue authorization)
            => new(Mode7974b66.DirectDctce) { Authorization = authorization };

        public static Snapshot7974b66 ForApiKey(KeyValuePair<string, string> apiKey)
        {
            var headers = new List<KeyValuePair<string, string>> { apiKey };
            return new(Mode7974b66.AspProvider) { Headers = headers };
        }
    }

    private sealed class ConstantAuthorizationHandler : DelegatingHandler
    {
        private static readonly AuthenticationHeaderValue Authorization = new("Bearer", "bench-token-1");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = Authorization;
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class CachedResponseHandler : HttpMessageHandler
    {
        private readonly Task<HttpResponseMessage> _response = Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _response;
    }
}
