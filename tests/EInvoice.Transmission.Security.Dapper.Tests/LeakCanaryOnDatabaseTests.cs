using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>The leak canary scenario on real databases, whose raw rows (every table, read as text) are searched too.</summary>
public sealed class LeakCanaryOnDatabaseTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task EveryPublicPath_SqliteFile_LeaksNoCanaryAnywhere()
    {
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        var repository = new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

        var evidence = await LeakCanaryScenario.RunAsync(
            repository,
            () => SqlStorage.DumpAsync(dataSource, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", InMemoryStorage.Render));

        evidence.Add((await repository.GetMigrationsAsync()).ToArray());
        evidence.AssertNoCanary();
        evidence.AssertCovers(typeof(DapperCredentialRepository).Assembly);
        var file = System.Text.Encoding.Latin1.GetString(_file.ReadAllBytes());
        foreach (var canary in evidence.Canaries)
        {
            file.Should().NotContain(canary, "the database files themselves, free pages and write-ahead log included, hold no canary");
        }
    }

    [SkippableFact]
    public async Task EveryPublicPath_PostgreSql_LeaksNoCanaryAnywhere()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        var repository = new DapperCredentialRepository(database.DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

        var evidence = await LeakCanaryScenario.RunAsync(
            repository,
            () => SqlStorage.DumpAsync(database.DataSource, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", InMemoryStorage.Render));

        evidence.AssertNoCanary();
    }
}
