using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// 1,000 concurrent callers on a cold cache, for one company and for 100 companies: the wall time until all have a
/// token, and how many token requests that took (the TokenRequests column; it must be 1 and 100). The baseline is the
/// same 1,000 callers on a warm cache, so the ratio is the price of the stampede itself.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 20)]
[Config(typeof(TokenRequestsColumn.Config))]
public class StampedeBenchmarks
{
    private const int Callers = 1000;

    private ServiceProvider _services = null!;
    private TokenEndpointStub _tokens = null!;
    private AccessTokenCache _cache = null!;
    private string[] _companies = null!;

    [Params(1, 100)]
    public int Companies { get; set; }

    [IterationSetup(Target = nameof(ThousandConcurrentCallers))]
    public void ColdCache() => CreateCache();

    [IterationSetup(Target = nameof(ThousandConcurrentCallersWarmCache))]
    public void WarmCache()
    {
        CreateCache();
        foreach (var company in _companies)
        {
            _cache.GetAsync(company, new Requester(TransmissionEnvironment.Production, Bench.ApiEndpoint), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    private void CreateCache()
    {
        _tokens = new TokenEndpointStub();
        _services = Bench.Services(_tokens);
        _companies = [.. Enumerable.Range(0, Companies).Select(i => $"company-{i:D3}")];
        foreach (var company in _companies)
        {
            Bench.SetCredentialsAsync(_services, company).GetAwaiter().GetResult();
        }

        _cache = _services.GetRequiredService<AccessTokenCache>();
    }

    [IterationCleanup(Target = nameof(ThousandConcurrentCallers))]
    public void CheckCold() => Check(nameof(ThousandConcurrentCallers), _tokens.Requests, expected: Companies);

    [IterationCleanup(Target = nameof(ThousandConcurrentCallersWarmCache))]
    public void CheckWarm() => Check(nameof(ThousandConcurrentCallersWarmCache), _tokens.Requests - Companies, expected: 0);

    private void Check(string benchmark, int requests, int expected)
    {
        TokenRequestsColumn.Record(benchmark, Companies, requests);
        _services.Dispose();
        if (requests != expected)
        {
            throw new InvalidOperationException($"{Callers} callers for {Companies} companies caused {requests} token requests, not {expected}.");
        }
    }

    [Benchmark(Baseline = true)]
    public Task ThousandConcurrentCallersWarmCache() => ThousandConcurrentCallers();

    [Benchmark]
    public Task ThousandConcurrentCallers()
    {
        var callers = new Task[Callers];
        for (var i = 0; i < Callers; i++)
        {
            var company = _companies[i % _companies.Length];
            callers[i] = Task.Run(() => _cache.GetAsync(company, new Requester(TransmissionEnvironment.Production, Bench.ApiEndpoint), CancellationToken.None).AsTask());
        }

        return Task.WhenAll(callers);
    }
}
