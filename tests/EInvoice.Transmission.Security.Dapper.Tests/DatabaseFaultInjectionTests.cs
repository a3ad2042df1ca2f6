using EInvoice.Transmission.Security.Dapper.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>Storage faults on SQLite: a credential statement, the audit insert in its transaction, the commit, the answer.</summary>
public sealed class SqliteFaultInjectionTests : FaultInjectionContractTests
{
    protected override IReadOnlyList<Fault> SupportedFaults => Enum.GetValues<Fault>();

    protected override Task<(ICredentialRepository Repository, IAsyncDisposable Lifetime)> CreateStorageAsync(FaultPlan plan)
    {
        var file = new TemporarySqliteFile();
        var dataSource = new FaultInjectingDataSource(SqliteFactory.Instance.CreateDataSource(file.ConnectionString), plan);
        var repository = new DapperCredentialRepository(dataSource, SqlDialect.Sqlite, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
        return Task.FromResult<(ICredentialRepository, IAsyncDisposable)>((repository, new Cleanup(dataSource, file)));
    }

    private sealed class Cleanup(FaultInjectingDataSource dataSource, TemporarySqliteFile file) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await dataSource.DisposeAsync();
            file.Dispose();
        }
    }
}

/// <summary>The same storage faults on PostgreSQL.</summary>
public sealed class PostgresFaultInjectionTests : FaultInjectionContractTests
{
    protected override IReadOnlyList<Fault> SupportedFaults => Enum.GetValues<Fault>();

    protected override async Task<(ICredentialRepository Repository, IAsyncDisposable Lifetime)> CreateStorageAsync(FaultPlan plan)
    {
        var database = await PostgresDatabase.CreateIsolatedAsync();
        var dataSource = new FaultInjectingDataSource(database.DataSource, plan);
        var repository = new DapperCredentialRepository(dataSource, SqlDialect.PostgreSql, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
        return (repository, new Cleanup(dataSource, database));
    }

    private sealed class Cleanup(FaultInjectingDataSource dataSource, PostgresDatabase.IsolatedSchema database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await dataSource.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}
