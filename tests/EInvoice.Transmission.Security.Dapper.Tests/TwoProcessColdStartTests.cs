using EInvoice.Transmission.Security.ScaleHost;
using EInvoice.Transmission.Security.Testing;
using Xunit.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Two OS processes — each its own runtime, connection pool and token cache, as two instances of an ERP host — start
/// cold at once on one database and send one request for each of 200 companies, in different orders: between them the
/// identity provider is asked exactly once per company (issue 15, goal 3; the benchmark console runs the same at 10,000).
/// </summary>
public sealed class TwoProcessColdStartTests(ITestOutputHelper output) : IDisposable
{
    private const int Companies = 200;

    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [SkippableFact]
    public async Task ColdStart_TwoProcessesOnPostgreSql_ExactlyOneTokenRequestPerCompany()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await RunAsync(Storage.PostgreSql, database.ConnectionString);
    }

    [Fact]
    public Task ColdStart_TwoProcessesOnOneSqliteFile_ExactlyOneTokenRequestPerCompany()
        => RunAsync(Storage.Sqlite, _file.ConnectionString);

    private async Task RunAsync(Storage storage, string connectionString)
    {
        await ColdStart.SeedAsync(storage, connectionString, The.KeyId, The.Key, Companies);

        // Each token request takes 20 ms, so both processes meet many companies whose token the other is requesting.
        var (reports, elapsed) = await ColdStart.RunAsync(storage, connectionString, The.KeyId, The.Key, Companies, processes: 2, parallelism: 8, tokenDelay: TimeSpan.FromMilliseconds(20));

        output.WriteLine($"{storage}: {elapsed.TotalSeconds:F2} s; token requests per process: {string.Join(", ", reports.Select(r => r.TokenRequests.Count))}");
        reports.Should().HaveCount(2).And.OnlyContain(r => r.Companies == Companies && r.Failures == 0, "every request of both processes went out authenticated");
        var tokenRequests = reports.SelectMany(r => r.TokenRequests).ToList();
        tokenRequests.Should().HaveCount(Companies, "exactly one token request per company between the two processes");
        tokenRequests.Should().BeEquivalentTo(Enumerable.Range(0, Companies).Select(i => "client-" + ColdStart.CompanyId(i)));
    }
}
