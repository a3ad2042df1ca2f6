using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>The storage contract on a real PostgreSQL server, each test in a schema of its own.</summary>
public sealed class DapperPostgresCredentialRepositoryTests : CredentialStorageContractTests
{
    private PostgresDatabase.IsolatedSchema? _database;

    protected override async Task<ICredentialRepository> CreateRepositoryAsync()
    {
        _database = await PostgresDatabase.CreateIsolatedAsync();
        return new DapperCredentialRepository(_database.DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
    }

    protected override async Task DisposeStorageAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override Task<string> ReadRawStorageAsync()
        => SqlStorage.DumpAsync(_database!.DataSource, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name", RenderRaw);

    protected override Task TamperWithAuditAsync(AuditTampering tampering, long sequence)
        => SqlStorage.TamperAsync(_database!.DataSource, tampering, sequence);

    protected override Task ReplaceAuditTrailAsync(IReadOnlyList<AuditEntry> entries)
        => SqlStorage.ReplaceAuditTrailAsync(_database!.DataSource, entries);
}
