using Npgsql;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// The PostgreSQL server the tests use, named by the environment variable <c>EINVOICE_TEST_POSTGRES</c>. CI (.ci/run)
/// starts one and sets it; with <c>CI=true</c> and no server the tests fail rather than skip.
/// </summary>
internal static class PostgresDatabase
{
    public const string Variable = "EINVOICE_TEST_POSTGRES";

    private const string HowToStart =
        "PostgreSQL tests need a server: set " + Variable + " to an Npgsql connection string, or run " +
        "'source .ci/postgres.sh && pg_start' (starts a throwaway PostgreSQL on 127.0.0.1 and sets it) before 'dotnet test'.";

    /// <summary>Returns the connection string, skips the test when there is none, or fails it in CI.</summary>
    public static string RequireConnectionString()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("CI=true but " + HowToStart);
            }

            Skip.If(true, HowToStart);
        }

        return connectionString!;
    }

    /// <summary>Creates an empty schema of its own, and a data source whose search path starts there.</summary>
    public static async Task<(NpgsqlDataSource DataSource, string Schema)> CreateIsolatedAsync()
    {
        var connectionString = RequireConnectionString();
        var schema = $"eits_test_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(connectionString))
        {
            await using var command = admin.CreateCommand($"CREATE SCHEMA {schema}");
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        return (NpgsqlDataSource.Create(builder.ConnectionString), schema);
    }

    public static async Task DropAsync(string schema)
    {
        await using var admin = NpgsqlDataSource.Create(RequireConnectionString());
        await using var command = admin.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}
