using System.Data.Common;
using EInvoice.Transmission.Security.ScaleHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// A database of its own for one storage measurement — a temporary SQLite file, or a schema of its own on the given
/// PostgreSQL server — removed afterwards; and the library over it, as the scale checks build it.
/// </summary>
internal static class ScratchDatabase
{
    /// <summary>Runs <paramref name="measure"/> with the scratch database's connection string and a way to open more data sources on it.</summary>
    public static async Task<T> UseAsync<T>(Storage storage, string? postgres, Func<string, Func<DbDataSource>, Task<T>> measure)
    {
        if (storage == Storage.PostgreSql)
        {
            var schema = $"eits_scale_{Guid.NewGuid():N}";
            await using var admin = NpgsqlDataSource.Create(postgres ?? throw new ArgumentNullException(nameof(postgres)));
            await admin.CreateCommand($"CREATE SCHEMA {schema}").ExecuteNonQueryAsync();
            try
            {
                var scoped = new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ConnectionString;
                return await measure(scoped, () => NpgsqlDataSource.Create(scoped));
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await admin.CreateCommand($"DROP SCHEMA {schema} CASCADE").ExecuteNonQueryAsync();
            }
        }

        var path = Path.Combine(Path.GetTempPath(), $"eits-scale-{Guid.NewGuid():N}.db");
        try
        {
            return await measure($"Data Source={path}", () => SqliteFactory.Instance.CreateDataSource($"Data Source={path}"));
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

    /// <summary>The library on the database, with the key ring <paramref name="keys"/> and <paramref name="activeKeyId"/> active, and an MFA verifier that accepts.</summary>
    public static ServiceProvider Services(Storage storage, string connectionString, string activeKeyId, params (string Id, string Key)[] keys)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IMfaVerifier, Bench.AlwaysFresh>();
        var builder = services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = activeKeyId;
            foreach (var (id, key) in keys)
            {
                vault.Keys[id] = key;
            }
        });
        _ = storage == Storage.PostgreSql ? builder.UsePostgreSql(connectionString) : builder.UseSqlite(connectionString);
        return services.BuildServiceProvider();
    }

    /// <summary>The storage named on the command line: <c>sqlite</c> or <c>postgres</c>.</summary>
    public static Storage Parse(string name) => name == "postgres" ? Storage.PostgreSql : Storage.Sqlite;
}
