using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.ScaleHost;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// How the storage-bound costs grow from 1,000 to 100,000 companies on SQLite or PostgreSQL (issue 15): for each size,
/// on a fresh database, it stores the companies through the store, starts them cold in one and then in two OS processes
/// (<see cref="ColdStart"/>, counting token requests), reads statuses, compares the per-interval cost of noticing changes
/// (one audit query) with reading every company's credentials (what it was before), rotates the key over everything
/// (<see cref="CredentialStore.RewrapAllAsync"/>) and verifies the audit trail, recording time and managed-heap growth.
/// One CSV row per size goes to the output file; docs/benchmarks/charts.py draws the charts from it.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --storage-scale sqlite|postgres [CONNECTION] [sizes] [csv]</c>.
/// PostgreSQL: the connection string's database is used in a schema of its own, dropped at the end.
/// </remarks>
internal static class StorageScaleCheck
{
    private const string OldKeyId = "scale_old";
    private const string OldKey = "gDtg+ukqKBtVRlNfUj2sP0kSb1Dj4wMajFM9fmz8DBE=";
    private const string NewKeyId = "scale_new";
    private const string NewKey = "otB95XQZWahwQFz1/nLmTkLlw4jtmXgaDhJNBZLlXHA=";

    public const string CsvHeader =
        "storage,companies,seed_per_s,cold_start_1p_per_s,cold_start_2p_per_s,token_requests_2p,status_us,change_query_us,recheck_all_ms,rewrap_envelopes_per_s,rewrap_companies_per_s,rewrap_heap_growth_mib,audit_entries,audit_verify_per_s,audit_heap_growth_mib";

    public static async Task RunAsync(string storage, string? postgres, IReadOnlyList<int> sizes, string csvPath)
    {
        if (!File.Exists(csvPath))
        {
            await File.WriteAllTextAsync(csvPath, CsvHeader + "\n");
        }

        foreach (var size in sizes)
        {
            var row = await ScratchDatabase.UseAsync(ScratchDatabase.Parse(storage), postgres, (connectionString, dataSource) => MeasureAsync(ScratchDatabase.Parse(storage), connectionString, dataSource, size));
            Console.WriteLine(row);
            await File.AppendAllTextAsync(csvPath, row + "\n");
        }
    }

    private static async Task<string> MeasureAsync(Storage storage, string connectionString, Func<DbDataSource> dataSource, int companies)
    {
        var name = storage == Storage.Sqlite ? "sqlite" : "postgres";
        Console.Error.WriteLine($"{name} {companies:N0}: storing the companies");
        var watch = Stopwatch.StartNew();
        await ColdStart.SeedAsync(storage, connectionString, OldKeyId, OldKey, companies);
        var seedPerSecond = companies / watch.Elapsed.TotalSeconds;

        Console.Error.WriteLine($"{name} {companies:N0}: cold start, one process");
        var (one, oneElapsed) = await ColdStart.RunAsync(storage, connectionString, OldKeyId, OldKey, companies, processes: 1, parallelism: 32, tokenDelay: TimeSpan.Zero);
        Require(one.Sum(r => r.TokenRequests.Count) == companies && one.All(r => r.Failures == 0), "one process: not one token request per company");

        await using (var source = dataSource())
        await using (var connection = await source.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "UPDATE eits_credentials SET access_token = NULL, refresh_token = NULL, access_token_expires_at = NULL, access_token_refresh_at = NULL, lease_owner = NULL, lease_expires_at = NULL");
        }

        Console.Error.WriteLine($"{name} {companies:N0}: cold start, two processes");
        var (two, twoElapsed) = await ColdStart.RunAsync(storage, connectionString, OldKeyId, OldKey, companies, processes: 2, parallelism: 32, tokenDelay: TimeSpan.Zero);
        var twoRequests = two.Sum(r => r.TokenRequests.Count);
        Require(two.All(r => r.Failures == 0), "two processes: a request failed");

        await using var services = ScratchDatabase.Services(storage, connectionString, NewKeyId, (OldKeyId, OldKey), (NewKeyId, NewKey));
        var store = services.GetRequiredService<CredentialStore>();
        var gateway = services.GetRequiredService<TokenPathGateway>();
        var random = new Random(15);
        var sample = Enumerable.Range(0, Math.Min(companies, 2_000)).Select(_ => ColdStart.CompanyId(random.Next(companies))).ToArray();

        Console.Error.WriteLine($"{name} {companies:N0}: statuses, change query, credential reads");
        foreach (var company in sample.Take(100))
        {
            await store.GetStatusAsync(company);
            await gateway.GetCredentialsAsync(company, CancellationToken.None);
        }

        watch.Restart();
        foreach (var company in sample)
        {
            _ = await store.GetStatusAsync(company) ?? throw new InvalidOperationException("A company is missing.");
        }

        var statusMicroseconds = watch.Elapsed.TotalMicroseconds / sample.Length;

        // One interval's poll when nothing changed (the head, and the entry at the position); a change adds one page
        // read per thousand changes and one row read per changed company that is cached.
        var changes = new CredentialChangeFeed(gateway, TimeSpan.FromSeconds(30), TimeProvider.System);
        await changes.StartAsync();
        watch.Restart();
        for (var i = 0; i < 200; i++)
        {
            Require(await changes.ReadAsync(_ => Require(false, "changes appeared during the check"), CancellationToken.None), "the trail moved during the check");
        }

        var changeQueryMicroseconds = watch.Elapsed.TotalMicroseconds / 200;

        watch.Restart();
        foreach (var company in sample)
        {
            _ = await gateway.GetCredentialsAsync(company, CancellationToken.None) ?? throw new InvalidOperationException("A company is missing.");
        }

        // What one interval cost before: every cached company's row read and its secrets opened.
        var recheckAllMilliseconds = watch.Elapsed.TotalMilliseconds / sample.Length * companies;

        Console.Error.WriteLine($"{name} {companies:N0}: key rotation");
        var first = await services.GetRequiredService<ICredentialRepository>().GetAsync(ColdStart.CompanyId(0));
        // Every envelope a rotation moves: each secret, each token, and the destination seal (the row.destination envelope).
        var envelopesPerCompany = first!.Secrets.Count + (first.AccessToken is null ? 0 : 1) + (first.RefreshToken is null ? 0 : 1) + (first.DestinationSeal is null ? 0 : 1);
        var (rotation, rotationHeap) = await MeasureHeapAsync(async sampleHeap =>
            await store.RewrapAllAsync("scale-check", new Progress(sampleHeap)));
        Require(rotation.Rewrapped == companies && rotation.FailedCompanyIds.Count == 0, $"rotation moved {rotation.Rewrapped} of {companies}");
        var rewrapCompaniesPerSecond = companies / rotationHeap.Elapsed.TotalSeconds;

        Console.Error.WriteLine($"{name} {companies:N0}: audit verification");
        var (verification, auditHeap) = await MeasureHeapAsync(async _ => await store.VerifyAuditTrailAsync());
        Require(verification.IsIntact, "the audit trail does not verify");

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name},{companies},{seedPerSecond:F0},{companies / oneElapsed.TotalSeconds:F0},{companies / twoElapsed.TotalSeconds:F0},{twoRequests},{statusMicroseconds:F0},{changeQueryMicroseconds:F0},{recheckAllMilliseconds:F0},{rewrapCompaniesPerSecond * envelopesPerCompany:F0},{rewrapCompaniesPerSecond:F0},{rotationHeap.GrowthMiB:F1},{verification.EntryCount},{verification.EntryCount / auditHeap.Elapsed.TotalSeconds:F0},{auditHeap.GrowthMiB:F1}");
    }

    /// <summary>Runs <paramref name="work"/>, sampling the managed heap whenever it calls back; returns its time and the heap's peak growth.</summary>
    internal static async Task<(T Result, (TimeSpan Elapsed, double GrowthMiB) Heap)> MeasureHeapAsync<T>(Func<Action, Task<T>> work)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var peak = before;
        var watch = Stopwatch.StartNew();
        var result = await work(() => peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false)));
        watch.Stop();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        return (result, (watch.Elapsed, (peak - before) / 1024.0 / 1024.0));
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Storage scale check: " + problem + ".");
        }
    }

    private sealed class Progress(Action sampleHeap) : IProgress<KeyRotationProgress>
    {
        public void Report(KeyRotationProgress value) => sampleHeap();
    }
}
