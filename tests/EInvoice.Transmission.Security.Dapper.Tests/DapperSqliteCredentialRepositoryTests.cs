using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// The storage contract on SQLite: a shared-cache in-memory database per test, kept alive by one open connection
/// while the repository opens its own connections from the data source.
/// </summary>
public sealed class DapperSqliteCredentialRepositoryTests : CredentialStorageContractTests
{
    private readonly string _connectionString = $"Data Source=eits-test-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
    private SqliteConnection? _keepAlive;
    private System.Data.Common.DbDataSource? _dataSource;

    protected override async Task<ICredentialRepository> CreateRepositoryAsync()
    {
        _keepAlive = new SqliteConnection(_connectionString);
        await _keepAlive.OpenAsync();
        _dataSource = SqliteFactory.Instance.CreateDataSource(_connectionString);
        return new DapperCredentialRepository(_dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
    }

    protected override async Task DisposeStorageAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_keepAlive is not null)
        {
            await _keepAlive.DisposeAsync();
        }
    }

    protected override Task<string> ReadRawStorageAsync()
        => SqlStorage.DumpAsync(_dataSource!, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", RenderRaw);

    protected override Task TamperWithAuditAsync(AuditTampering tampering, long sequence)
        => SqlStorage.TamperAsync(_dataSource!, tampering, sequence);

    protected override Task ReplaceAuditTrailAsync(IReadOnlyList<AuditEntry> entries)
        => SqlStorage.ReplaceAuditTrailAsync(_dataSource!, entries);
}
