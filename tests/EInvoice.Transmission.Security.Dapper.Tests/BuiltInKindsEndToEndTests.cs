using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>Every shipped kind end to end on a SQLite file and on PostgreSQL.</summary>
public sealed class BuiltInKindsEndToEndTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task EveryKind_SetStatusSendRotateSendDelete_Sqlite_EachRequestCarriesExactlyItsOwnCredentialsAndNoCanaryLeaks()
    {
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        var repository = new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

        var evidence = await KindsEndToEndScenario.RunAsync(
            repository,
            () => SqlStorage.DumpAsync(dataSource, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", InMemoryStorage.Render));

        evidence.AssertNoCanary();
        var file = System.Text.Encoding.Latin1.GetString(_file.ReadAllBytes());
        evidence.Canaries.Should().OnlyContain(c => !file.Contains(c, StringComparison.Ordinal), "the database file holds no secret in clear");
    }

    [SkippableFact]
    public async Task EveryKind_SetStatusSendRotateSendDelete_PostgreSql_EachRequestCarriesExactlyItsOwnCredentialsAndNoCanaryLeaks()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        var repository = new DapperCredentialRepository(database.DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

        var evidence = await KindsEndToEndScenario.RunAsync(
            repository,
            () => SqlStorage.DumpAsync(database.DataSource, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", InMemoryStorage.Render));

        evidence.AssertNoCanary();
    }
}
