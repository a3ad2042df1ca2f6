using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>Issue #10's S1 sequence (tamper → status → partial update → send) on a SQLite file and on PostgreSQL.</summary>
public sealed class DestinationTamperScenarioTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task TamperStatusPartialUpdateSend_Sqlite_AttackerReceivesNothingAndTheStatusFlagsIt()
    {
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        await DestinationTamperScenario.RunAsync(() => new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance));
    }

    [SkippableFact]
    public async Task TamperStatusPartialUpdateSend_PostgreSql_AttackerReceivesNothingAndTheStatusFlagsIt()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await DestinationTamperScenario.RunAsync(() => new DapperCredentialRepository(database.DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance));
    }
}
