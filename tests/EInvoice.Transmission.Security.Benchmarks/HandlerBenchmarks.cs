using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// One request through <see cref="OAuthTokenProvider"/> with a cached token, against the same pipeline with a bare
/// handler that sets a constant Authorization header. The terminal handler returns a cached response, so only the
/// handlers are measured; both send the same request object, which names its company.
/// </summary>
[MemoryDiagnoser]
public class HandlerBenchmarks
{
    private ServiceProvider _services = null!;
    private HttpMessageInvoker _withProvider = null!;
    private HttpMessageInvoker _withBareHandler = null!;
    private HttpRequestMessage _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = Bench.Services(new TokenEndpointStub());
        Bench.SetCredentialsAsync(_services, Bench.CompanyId).GetAwaiter().GetResult();
        var terminal = new CachedResponseHandler();
        _withProvider = new HttpMessageInvoker(
            new OAuthTokenProvider(_services.GetRequiredService<AccessTokenCache>(), TransmissionEnvironment.Production, NullLogger<OAuthTokenProvider>.Instance) { InnerHandler = terminal },
            disposeHandler: false);
        _withBareHandler = new HttpMessageInvoker(new ConstantAuthorizationHandler { InnerHandler = terminal }, disposeHandler: false);
        _request = new HttpRequestMessage(HttpMethod.Post, Bench.ApiEndpoint).SetCompanyId(Bench.CompanyId);

        // Warm the cache: the measured requests are all cache hits.
        using var warm = _withProvider.SendAsync(_request, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public Task<HttpResponseMessage> BareHandler() => _withBareHandler.SendAsync(_request, CancellationToken.None);

    [Benchmark]
    public Task<HttpResponseMessage> OAuthTokenProviderCachedToken() => _withProvider.SendAsync(_request, CancellationToken.None);

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
