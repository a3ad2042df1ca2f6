using System.Globalization;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// The handler on a cache hit, one company against round-robin over N companies (issue 15, goal 4: within 2×), in the
/// same process and interleaved as <see cref="InterleavedHandlerCheck"/> does. Each company has its own request object,
/// as each of a host's requests names its company; the round-robin side walks them in a shuffled order, so that neither
/// the requests nor the cache entries are read in memory order. Also the cache lookup alone, without the handler.
/// </summary>
internal static class HandlerScaleCheck
{
    private static readonly Task<HttpResponseMessage> Done = Task.FromResult<HttpResponseMessage>(null!);

    public static async Task RunAsync(int companies, int rounds, string? csvPath)
    {
        await using var services = Bench.Services(new TokenEndpointStub());
        var cache = services.GetRequiredService<AccessTokenCache>();
        var invoker = new HttpMessageInvoker(
            new OAuthTokenProvider(cache, TransmissionEnvironment.Production, NullLogger<OAuthTokenProvider>.Instance) { InnerHandler = new CachedResponse() },
            disposeHandler: true);
        var ids = Enumerable.Range(0, companies).Select(i => string.Create(CultureInfo.InvariantCulture, $"AE-{i:D12}")).ToArray();
        foreach (var id in ids)
        {
            await Bench.SetCredentialsAsync(services, id);
        }

        new Random(4).Shuffle(ids);
        var requests = ids.Select(id => new HttpRequestMessage(HttpMethod.Post, Bench.ApiEndpoint).SetCompanyId(id)).ToArray();
        foreach (var request in requests)
        {
            (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        }

        var requester = new Requester(TransmissionEnvironment.Production, Bench.ApiEndpoint);
        var next = 0;
        Func<Task<HttpResponseMessage>> one = () => invoker.SendAsync(requests[0], CancellationToken.None);
        Func<Task<HttpResponseMessage>> roundRobin = () =>
        {
            var request = requests[next];
            next = next + 1 == requests.Length ? 0 : next + 1;
            return invoker.SendAsync(request, CancellationToken.None);
        };
        Func<Task<HttpResponseMessage>> lookupOne = () =>
        {
            var hit = cache.GetAsync(ids[0], requester, CancellationToken.None);
            return hit.IsCompletedSuccessfully ? Done : throw new InvalidOperationException("A cache miss in the lookup check.");
        };
        Func<Task<HttpResponseMessage>> lookupRoundRobin = () =>
        {
            var id = ids[next];
            next = next + 1 == ids.Length ? 0 : next + 1;
            var hit = cache.GetAsync(id, requester, CancellationToken.None);
            return hit.IsCompletedSuccessfully ? Done : throw new InvalidOperationException("A cache miss in the lookup check.");
        };

        // The floor: the same lookups in a bare dictionary of the same keys, which any per-company cache pays.
        var bare = new System.Collections.Concurrent.ConcurrentDictionary<string, object>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            bare[id] = new object();
        }

        Func<Task<HttpResponseMessage>> bareOne = () => bare.TryGetValue(ids[0], out _) ? Done : throw new InvalidOperationException("missing");
        Func<Task<HttpResponseMessage>> bareRoundRobin = () =>
        {
            var id = ids[next];
            next = next + 1 == ids.Length ? 0 : next + 1;
            return bare.TryGetValue(id, out _) ? Done : throw new InvalidOperationException("missing");
        };

        Console.WriteLine($"Handler scale check: {companies:N0} companies, {rounds} rounds of {InterleavedHandlerCheck.OperationsPerBlock:N0} requests per side, order swapped every round.");
        var handler = Compare("handler (through OAuthTokenProvider)", one, roundRobin, rounds, companies);
        var lookup = Compare("cache lookup alone (AccessTokenCache.GetAsync)", lookupOne, lookupRoundRobin, rounds, companies);
        var floor = Compare("bare ConcurrentDictionary lookup (the floor)", bareOne, bareRoundRobin, rounds, companies);
        if (csvPath is not null)
        {
            if (!File.Exists(csvPath))
            {
                await File.WriteAllTextAsync(csvPath, "companies,one_ns,round_robin_ns,ratio,lookup_one_ns,lookup_round_robin_ns,lookup_ratio,floor_one_ns,floor_round_robin_ns,floor_ratio\n");
            }

            await File.AppendAllTextAsync(csvPath, string.Create(
                CultureInfo.InvariantCulture,
                $"{companies},{handler.One:F0},{handler.Many:F0},{handler.Ratio:F2},{lookup.One:F0},{lookup.Many:F0},{lookup.Ratio:F2},{floor.One:F0},{floor.Many:F0},{floor.Ratio:F2}\n"));
        }
    }

    private static (double One, double Many, double Ratio) Compare(string name, Func<Task<HttpResponseMessage>> one, Func<Task<HttpResponseMessage>> roundRobin, int rounds, int companies)
    {
        var (oneNs, manyNs, ratios) = InterleavedHandlerCheck.Alternate(one, roundRobin, rounds);
        var (oneMedian, manyMedian, ratioMedian) = (Median(oneNs), Median(manyNs), Median(ratios));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: one company median {oneMedian:F1} ns; round-robin over {companies:N0} median {manyMedian:F1} ns; ratio per round: median {ratioMedian:F2} (min {ratios.Min():F2}, max {ratios.Max():F2})"));
        return (oneMedian, manyMedian, ratioMedian);
    }

    private static double Median(double[] values) => InterleavedHandlerCheck.Percentile(values, 0.5);

    private sealed class CachedResponse : HttpMessageHandler
    {
        private readonly Task<HttpResponseMessage> _response = Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _response;
    }
}
