using Npgsql;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// The PostgreSQL server the tests use: the one named by the environment variable <c>EINVOICE_TEST_POSTGRES</c>, or
/// else a throwaway cluster the tests start themselves when the PostgreSQL server binaries are installed
/// (<see cref="ThrowawayPostgresServer"/>). Without either the tests are skipped with a message, except with
/// <c>CI=true</c>, where they fail: CI must never pass by skipping them.
/// </summary>
/// <remarks>
/// <para>
/// The tests must pass against a stock server (<c>max_connections</c> 100, three of them reserved for superusers)
/// whatever pool size the connection string asks for, so every data source they create goes through
/// <see cref="Bounded"/>, which caps its pool at <see cref="MaxPoolSize"/> connections. The budget: xunit runs a
/// project's test classes in parallel but each class's tests one after another. In this project at most 17 bounded
/// data sources are open at once (one per PostgreSQL test class, seven; two more in the two-hosts test, three more in
/// the concurrent-migration test, one more each in the UsePostgreSql and refused-connection tests, three more in the
/// two-process cold start: its seeding host and the two worker processes, each given the bounded connection string)
/// plus the shared admin source capped at 2: 17 × 4 + 2 = 70 connections. The tool's tests
/// (EInvoice.Transmission.Security.Tool.Tests, which compile this file too, in a process of their own that may share
/// the server) have one PostgreSQL class: its schema's source and the tool's own source of the run in progress,
/// 2 × 4 + 2 = 10 more. At most 80, under 97.
/// </para>
/// </remarks>
internal static class PostgresDatabase
{
    public const string Variable = "EINVOICE_TEST_POSTGRES";

    /// <summary>The most connections any one data source of the tests may open.</summary>
    public const int MaxPoolSize = 4;

    private const string HowToGetOne =
        "PostgreSQL tests need a server: set " + Variable + " to an Npgsql connection string, or install the PostgreSQL " +
        "server binaries (initdb and pg_ctl, e.g. 'apt-get install postgresql') and the tests start a throwaway one on " +
        "127.0.0.1 themselves ('source .ci/postgres.sh && pg_start' starts one by hand).";

    private static readonly Lazy<Task<(string? ConnectionString, string? Unavailable)>> Server = new(FindServerAsync);

    private static readonly Lazy<Task<NpgsqlDataSource>> Admin = new(async () =>
        NpgsqlDataSource.Create(Bounded(await RequireConnectionStringAsync(), maxPoolSize: 2)));

    /// <summary>Returns the server's connection string (pool bounded), skips the test when there is none, or fails it in CI.</summary>
    public static async Task<string> RequireConnectionStringAsync()
    {
        var (connectionString, unavailable) = await Server.Value;
        if (connectionString is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"CI=true and {unavailable}. {HowToGetOne}");
            }

            Skip.If(true, $"Skipped: {unavailable}. {HowToGetOne}");
        }

        return Bounded(connectionString!);
    }

    /// <summary>The connection string with its pool capped at <paramref name="maxPoolSize"/>, whatever it asked for.</summary>
    public static string Bounded(string connectionString, int maxPoolSize = MaxPoolSize)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, maxPoolSize);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        return builder.ConnectionString;
    }

    /// <summary>Creates an empty schema of its own, and a data source whose search path starts there.</summary>
    public static async Task<IsolatedSchema> CreateIsolatedAsync()
    {
        var connectionString = await RequireConnectionStringAsync();
        var schema = $"eits_test_{Guid.NewGuid():N}";
        await using (var command = (await Admin.Value).CreateCommand($"CREATE SCHEMA {schema}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        return new IsolatedSchema(builder.ConnectionString, schema);
    }

    /// <summary>Runs one statement on the server outside any test schema (roles, for instance).</summary>
    public static async Task ExecuteAsAdminAsync(string sql)
    {
        await using var command = (await Admin.Value).CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(string? ConnectionString, string? Unavailable)> FindServerAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(connectionString)
            ? await ThrowawayPostgresServer.TryStartAsync()
            : (connectionString, null);
    }

    /// <summary>A schema of one test's own and a bounded data source on it; disposing drops the schema.</summary>
    public sealed class IsolatedSchema(string connectionString, string schema) : IAsyncDisposable
    {
        /// <summary>The full connection string (password included), its pool bounded and its search path on <see cref="Schema"/>.</summary>
        public string ConnectionString { get; } = connectionString;

        public string Schema { get; } = schema;

        public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(connectionString);

        /// <summary>Another data source (another pool) on the same schema, for tests that play several hosts.</summary>
        public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

        public async ValueTask DisposeAsync()
        {
            await DataSource.DisposeAsync();
            await ExecuteAsAdminAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }
    }
}
