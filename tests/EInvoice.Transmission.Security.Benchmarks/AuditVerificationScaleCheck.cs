using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// How audit verification grows with the trail (issue 15, goal 5): appends N keyed entries to the in-memory repository,
/// verifies the whole trail, and reports the time, the rate and the managed heap's peak growth during verification.
/// </summary>
internal static class AuditVerificationScaleCheck
{
    public static async Task RunAsync(int entries)
    {
        var tokens = new TokenEndpointStub();
        await using var services = Bench.Services(tokens);
        var store = services.GetRequiredService<CredentialStore>();
        var trail = services.GetRequiredService<IAuditTrailRepository>();
        var vault = services.GetRequiredService<CredentialVault>();
        using (var key = vault.CreateAuditKey())
        {
            for (var i = 0; i < entries; i++)
            {
                await trail.AppendAuditAsync(new AuditEvent
                {
                    Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
                    CompanyId = string.Create(CultureInfo.InvariantCulture, $"AE-{i % 10_000:D12}"),
                    Action = AuditAction.CredentialsUpdated,
                    Actor = "scale-check",
                    Outcome = AuditOutcome.Succeeded,
                    Fields = ["client_secret"],
                    Key = key,
                });
            }
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var result = await store.VerifyAuditTrailAsync();
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Audit verification (in memory): {entries:N0} entries, intact {result.IsIntact}, {watch.Elapsed.TotalSeconds:F2} s ({entries / watch.Elapsed.TotalSeconds:N0} entries/s), allocated {allocated / (double)entries:F0} B per entry in pages, heap retained after {(after - before) / 1024.0 / 1024.0:F1} MiB."));
    }
}
