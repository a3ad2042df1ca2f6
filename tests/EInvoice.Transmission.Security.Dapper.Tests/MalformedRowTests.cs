using System.Data.Common;
using Dapper;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Someone who can write the database puts text that is not a JSON object of strings into one row's <c>settings</c>
/// and a secret that is not hexadecimal into another's <c>secrets</c>. Those two rows are reported as tampered, company
/// by company; listing, statuses and a key rotation go on for every other company instead of stopping at the first bad
/// row (a key rotation that one row could stop would leave every company under the old key).
/// </summary>
public sealed class MalformedRowTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task MalformedColumns_Sqlite_ReportedTamperedWhileEveryOtherCompanyIsListedAndRotated()
    {
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        await RunAsync(dataSource);
    }

    [SkippableFact]
    public async Task MalformedColumns_PostgreSql_ReportedTamperedWhileEveryOtherCompanyIsListedAndRotated()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await RunAsync(database.DataSource);
    }

    private static async Task RunAsync(DbDataSource dataSource)
    {
        var repository = new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
        var clock = Some.Clock();
        var store = Some.Store(repository, clock);
        foreach (var company in new[] { "company-a", "company-b", "company-c" })
        {
            await store.SetAsync(company, The.DirectCredentials, The.AdminWithMfa);
        }

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE eits_credentials SET settings = '{not json' WHERE company_id = 'company-a'");
            await connection.ExecuteAsync("UPDATE eits_credentials SET secrets = '{\"client_secret\":\"not hexadecimal\"}' WHERE company_id = 'company-c'");
        }

        (await repository.ListAsync(null, 100)).Select(r => r.CompanyId).Should().Equal("company-a", "company-b", "company-c");
        var statuses = await store.ListStatusesAsync();
        statuses.Select(s => (s.CompanyId, s.IsDestinationIntact)).Should().Equal(("company-a", false), ("company-b", true), ("company-c", false));

        var rotation = await Some.Store(repository, clock, Some.RotatedVault()).RewrapAllAsync();

        rotation.FailedCompanyIds.Should().Equal("company-a", "company-c");
        rotation.Rewrapped.Should().Be(1, "the intact company moved to the new key");
        var moved = (await repository.GetAsync("company-b"))!;
        System.Text.Encoding.UTF8.GetString(Some.NewKeyOnlyVault().Open(moved.Secrets[OAuthClientCredentialsKind.ClientSecret], "company-b", The.ClientSecretField))
            .Should().Be(The.ClientSecret, "the intact company's secret opens under the new key alone");
        (await Some.Store(repository, clock, Some.NewKeyOnlyVault()).GetStatusAsync("company-b"))!.IsDestinationIntact.Should().BeTrue();
    }
}
