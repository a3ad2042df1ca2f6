using Dapper;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// The page query of key rotation (<see cref="DapperCredentialRepository.ListAsync"/>) is served by an index on every
/// database: checked in the query plan, since a scan and sort of the whole table per page returns the same rows, only
/// quadratically slower (issue 15: 61.8 ms a page at 100,000 companies on PostgreSQL).
/// </summary>
public sealed class RotationPagingPlanTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task ListPage_Sqlite_SearchesThePrimaryKeyWithoutSorting()
    {
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        await SeedAsync(new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance));
        await using var connection = await dataSource.OpenConnectionAsync();

        var rows = await connection.QueryAsync(
            "EXPLAIN QUERY PLAN " + DapperCredentialRepository.ListSql(Internal.SqlDialect.Sqlite, after: true),
            new { afterCompanyId = "company-00100", limit = 100 });
        var plan = string.Join("\n", rows.Select(r => (string)((IDictionary<string, object>)r)["detail"]));

        plan.Should().Contain("USING INDEX").And.NotContain("TEMP B-TREE", "the page is read in index order, not sorted");
    }

    [SkippableFact]
    public async Task ListPage_PostgreSql_UsesTheBinaryOrderIndexWithoutSorting()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await SeedAsync(new DapperCredentialRepository(database.DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance));
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("ANALYZE eits_credentials");

        // A table of 200 rows is cheap to scan either way: sequential scans are priced out, so the plan shows whether an
        // index can serve this order at all (without one, PostgreSQL still scans and sorts).
        await connection.ExecuteAsync("SET enable_seqscan = off");
        var plan = string.Join("\n", await connection.QueryAsync<string>(
            "EXPLAIN " + DapperCredentialRepository.ListSql(Internal.SqlDialect.PostgreSql, after: true).Replace("@afterCompanyId", "'company-00100'", StringComparison.Ordinal).Replace("@limit", "100", StringComparison.Ordinal)));

        plan.Should().Contain("Index Scan using ix_eits_credentials_company_id_c").And.NotContain("Sort");
    }

    private static async Task SeedAsync(DapperCredentialRepository repository)
    {
        for (var i = 0; i < 200; i++)
        {
            (await repository.InsertAsync(
                new StoredCredential
                {
                    CompanyId = $"company-{i:D5}",
                    Kind = NoCredentialsKind.KindName,
                    Environment = "Sandbox",
                    ConfiguredAt = The.Now,
                    ConfiguredBy = The.Admin,
                    Version = 1,
                    RowVersion = 1,
                },
                null)).Should().BeTrue();
        }
    }
}
