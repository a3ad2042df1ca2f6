using System.Globalization;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// How much memory the token cache keeps per company (issue 15, goal 6: under 1 KB beyond the token): stores N OAuth
/// companies, warms the cache with one token each, and compares the managed heap before and after (full GC both times).
/// </summary>
internal static class CacheMemoryCheck
{
    public static async Task RunAsync(int companies)
    {
        var tokens = new TokenEndpointStub();
        await using var services = Bench.Services(tokens);
        var cache = services.GetRequiredService<AccessTokenCache>();
        for (var i = 0; i < companies; i++)
        {
            await Bench.SetCredentialsAsync(services, Company(i));
        }

        var before = Heap();
        for (var i = 0; i < companies; i++)
        {
            await cache.GetAsync(Company(i), new Requester(TransmissionEnvironment.Production, Bench.ApiEndpoint), CancellationToken.None);
        }

        var after = Heap();
        GC.KeepAlive(cache);
        var perCompany = (after - before) / (double)companies;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Token cache: {companies:N0} companies warmed, {tokens.Requests:N0} token requests; managed heap grew {(after - before) / 1024.0 / 1024.0:F1} MiB, {perCompany:F0} B per company (the token's own text included)."));
    }

    private static string Company(int i) => string.Create(CultureInfo.InvariantCulture, $"AE-{i:D12}");

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
