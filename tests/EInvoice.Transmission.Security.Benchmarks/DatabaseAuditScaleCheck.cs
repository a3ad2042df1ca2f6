using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

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

    public static async Task RunAsync(string storage, string? postgres, int entries)
    {
        if (storage == "postgres")
        {
            var schema = $"eits_audit_scale_{Guid.NewGuid():N}";
            await using var admin = NpgsqlDataSource.Create(postgres!);
            await admin.CreateCommand($"CREATE SCHEMA {schema}").ExecuteNonQueryAsync();
            try
            {
                var scoped = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString;
                await MeasureAsync("PostgreSQL", builder => builder.UsePostgreSql(scoped), () => NpgsqlDataSource.Create(scoped), entries);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await admin.CreateCommand($"DROP SCHEMA {schema} CASCADE").ExecuteNonQueryAsync();
            }
        }
        else
        {
            var path = Path.Combine(Path.GetTempPath(), $"eits-audit-scale-{Guid.NewGuid():N}.db");
            try
            {
                await MeasureAsync("SQLite", builder => builder.UseSqlite($"Data Source={path}"), () => SqliteFactory.Instance.CreateDataSource($"Data Source={path}"), entries);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
                {
                    File.Delete(path + suffix);
                }
            }
        }
    }

    private static async Task MeasureAsync(string name, Action<IEInvoiceTransmissionBuilder> useStorage, Func<DbDataSource> dataSource, int entries)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IMfaVerifier, Bench.AlwaysFresh>();
        useStorage(services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = Bench.KeyId;
            vault.Keys[Bench.KeyId] = Bench.Key;
        }));
        await using var provider = services.BuildServiceProvider();
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
    }
}
