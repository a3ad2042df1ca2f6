using System.Diagnostics;
using System.Globalization;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// The <see cref="HandlerBenchmarks"/> pairs (7974b66 baseline, current handler) measured alternately in one process:
/// a block of one, then a block of the other, the order swapped every round. BenchmarkDotNet runs benchmarks one after
/// the other, so on a shared machine a load that comes and goes lands on one side of a ratio; here both sides of each
/// round's ratio share it. Reports the median of the per-round ratios and their interquartile range, each side's
/// median and fastest block, and the bytes allocated per request.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --interleaved-handler [rounds]</c>.
/// A check beside the BenchmarkDotNet table, not a replacement: each call goes through a delegate (as BenchmarkDotNet's
/// do), and nothing subtracts that overhead, so the ratios lean slightly towards 1.
/// </remarks>
internal static class InterleavedHandlerCheck
{
    internal const int OperationsPerBlock = 200_000;

    public static void Run(int rounds)
    {
        var benchmarks = new HandlerBenchmarks();
        benchmarks.Setup();
        try
        {
            Console.WriteLine($"Interleaved handler check: {rounds} rounds of {OperationsPerBlock:N0} requests per side, order swapped every round.");
            Compare("cached bearer token", benchmarks.CachedToken7974b66, benchmarks.OAuthTokenProviderCachedToken, rounds);
            Compare("API key (X-API-Key)", benchmarks.ApiKey7974b66, benchmarks.OAuthTokenProviderApiKey, rounds);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static void Compare(string name, Func<Task<HttpResponseMessage>> baseline, Func<Task<HttpResponseMessage>> current, int rounds)
    {
        var (baselineNs, currentNs, ratios) = Alternate(baseline, current, rounds);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: 7974b66 median {Percentile(baselineNs, 0.5):F2} ns (fastest block {baselineNs.Min():F2} ns, {Allocated(baseline):F1} B/op); " +
            $"current median {Percentile(currentNs, 0.5):F2} ns (fastest block {currentNs.Min():F2} ns, {Allocated(current):F1} B/op); " +
            $"current/7974b66 per round: median {Percentile(ratios, 0.5):F3}, interquartile {Percentile(ratios, 0.25):F3}–{Percentile(ratios, 0.75):F3}; " +
            $"fastest/fastest {currentNs.Min() / baselineNs.Min():F3}"));
    }

    /// <summary>
    /// Times blocks of <paramref name="first"/> and <paramref name="second"/> alternately, the order swapped every round,
    /// after warming both past tiering; returns each side's nanoseconds per call and each round's second/first ratio.
    /// </summary>
    internal static (double[] First, double[] Second, double[] Ratios) Alternate(Func<Task<HttpResponseMessage>> first, Func<Task<HttpResponseMessage>> second, int rounds)
    {
        // Past tiering (tier 0, instrumented, tier 1 with PGO) before anything is measured.
        for (var i = 0; i < 5; i++)
        {
            Block(first);
            Block(second);
        }

        var firstNs = new double[rounds];
        var secondNs = new double[rounds];
        var ratios = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                firstNs[r] = Block(first);
                secondNs[r] = Block(second);
            }
            else
            {
                secondNs[r] = Block(second);
                firstNs[r] = Block(first);
            }

            ratios[r] = secondNs[r] / firstNs[r];
        }

        return (firstNs, secondNs, ratios);
    }

    internal static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var position = p * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    private static double Block(Func<Task<HttpResponseMessage>> send)
    {
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < OperationsPerBlock; i++)
        {
            send();
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / OperationsPerBlock;
    }

    private static double Allocated(Func<Task<HttpResponseMessage>> send)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < OperationsPerBlock; i++)
        {
            send();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)OperationsPerBlock;
    }

}
