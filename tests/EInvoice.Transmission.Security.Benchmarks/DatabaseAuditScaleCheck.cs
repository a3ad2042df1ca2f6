using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using EInvoice.Transmission.Security.ScaleHost;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// Audit verification over 1,000,000 entries on SQLite and PostgreSQL (issue 15, goal 5): time, rate and the managed
/// heap's peak growth. The trail is chained and keyed by <see cref="AuditEntry.Chain"/> as the repository does, and
/// loaded in bulk (thousands of rows per transaction): appending a million entries one transaction each would take
/// most of an hour and measure nothing of interest here.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --audit-scale-db sqlite|postgres [CONNECTION] [entries]</c>.
/// The INSERT below mirrors the repository's own; the verification is the library's, through <see cref="CredentialStore.VerifyAuditTrailAsync(AuditCheckpoint?, CancellationToken)"/>.
/// </remarks>
internal static class DatabaseAuditScaleCheck
{
    private const int RowsPerTransaction = 5_000;

    public static Task RunAsync(string storage, string? postgres, int entries)
        => ScratchDatabase.UseAsync(ScratchDatabase.Parse(storage), postgres, (connectionString, dataSource) => MeasureAsync(ScratchDatabase.Parse(storage), connectionString, dataSource, entries));

    private static async Task<bool> MeasureAsync(Storage storage, string connectionString, Func<DbDataSource> dataSource, int entries)
    {
        var name = storage == Storage.PostgreSql ? "PostgreSQL" : "SQLite";
        await using var provider = ScratchDatabase.Services(storage, connectionString, Bench.KeyId, (Bench.KeyId, Bench.Key));
        var store = provider.GetRequiredService<CredentialStore>();

        // The schema, through the library (its first operation migrates).
        _ = await store.GetStatusAsync("nobody");

        var load = Stopwatch.StartNew();
        await using (var source = dataSource())
        {
            using var key = provider.GetRequiredService<CredentialVault>().CreateAuditKey();
            AuditHead? head = null;
            for (var start = 0; start < entries; start += RowsPerTransaction)
            {
                await using var connection = await source.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                var rows = new List<object>(RowsPerTransaction);
                for (var i = start; i < Math.Min(entries, start + RowsPerTransaction); i++)
                {
                    var entry = AuditEntry.Chain(head, new AuditEvent
                    {
                        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
                        CompanyId = string.Create(CultureInfo.InvariantCulture, $"AE-{i % 100_000:D12}"),
                        Action = AuditAction.CredentialsUpdated,
                        Actor = "scale-check",
                        Outcome = AuditOutcome.Succeeded,
                        Fields = ["client_secret"],
                        MfaMethod = "totp",
                        Key = key,
                    });
                    head = new AuditHead(entry.Sequence, entry.Hash);
                    rows.Add(new
                    {
                        entry.Sequence,
                        OccurredAt = entry.Timestamp.ToUnixTimeMilliseconds(),
                        entry.CompanyId,
                        Action = entry.Action.ToString(),
                        entry.Actor,
                        Outcome = entry.Outcome.ToString(),
                        Fields = string.Join(',', entry.Fields),
                        entry.MfaMethod,
                        entry.Detail,
                        entry.PreviousHash,
                        entry.Hash,
                        entry.KeyId,
                        entry.Mac,
                    });
                }

                await connection.ExecuteAsync(
                    """
                    INSERT INTO eits_audit (sequence, occurred_at, company_id, action, actor, outcome, fields, mfa_method, detail, previous_hash, hash, key_id, mac)
                    VALUES (@Sequence, @OccurredAt, @CompanyId, @Action, @Actor, @Outcome, @Fields, @MfaMethod, @Detail, @PreviousHash, @Hash, @KeyId, @Mac)
                    """,
                    rows,
                    transaction);
                await connection.ExecuteAsync("UPDATE eits_audit_head SET sequence = @Sequence, hash = @Hash WHERE id = 1", new { head!.Sequence, head.Hash }, transaction);
                await transaction.CommitAsync();
            }
        }

        load.Stop();
        var (result, heap) = await StorageScaleCheck.MeasureHeapAsync(async sample =>
        {
            using var sampler = new Timer(_ => sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
            return await store.VerifyAuditTrailAsync();
        });

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Audit verification ({name}): {result.EntryCount:N0} entries (loaded in {load.Elapsed.TotalSeconds:F0} s), intact {result.IsIntact}, {heap.Elapsed.TotalSeconds:F1} s ({result.EntryCount / heap.Elapsed.TotalSeconds:N0} entries/s), managed heap peak growth {heap.GrowthMiB:F1} MiB."));
        return result.IsIntact;
    }
}
