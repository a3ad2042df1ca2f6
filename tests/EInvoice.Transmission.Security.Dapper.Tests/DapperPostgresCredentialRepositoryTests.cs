using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>The storage contract on a real PostgreSQL server, each test in a schema of its own.</summary>
public sealed class DapperPostgresCredentialRepositoryTests : CredentialStorageContractTests
{
    private NpgsqlDataSource? _dataSource;
    private string? _schema;

    protected override async Task<ICredentialRepository> CreateRepositoryAsync()
    {
        (_dataSource, _schema) = await PostgresDatabase.CreateIsolatedAsync();
        return new DapperCredentialRepository(_dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
    }

    protected override async Task DisposeStorageAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            await PostgresDatabase.DropAsync(_schema!);
        }
    }

    protected override Task<string> ReadRawStorageAsync()
        => SqlStorage.DumpAsync(_dataSource!, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", RenderRaw);

    protected override Task TamperWithAuditAsync(AuditTampering tampering, long sequence)
        => SqlStorage.TamperAsync(_dataSource!, tampering, sequence);

    protected override Task ReplaceAuditTrailAsync(IReadOnlyList<AuditEntry> entries)
        => SqlStorage.ReplaceAuditTrailAsync(_dataSource!, entries);
}
