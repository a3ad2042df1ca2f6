using System.Data.Common;
using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Two service providers, each with its own repository and connection pool, on one database, starting cold at once:
/// the database lease makes them share one token request per company.
/// </summary>
public sealed class TwoHostsOnOneDatabaseTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public Task ColdStart_SqliteFile_OneTokenRequestPerCompanyAcrossBothHosts()
        => RunAsync(() => SqliteFactory.Instance.CreateDataSource(_file.ConnectionString));

    [SkippableFact]
    public async Task ColdStart_PostgreSql_OneTokenRequestPerCompanyAcrossBothHosts()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await RunAsync(database.CreateDataSource);
    }

    private static async Task RunAsync(Func<DbDataSource> createDataSource)
    {
        const int Companies = 5;
        using var sourceA = createDataSource();
        using var sourceB = createDataSource();
        using var http = new MockHttpMessageHandler();
        var tokens = http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        tokens.Respond(async request =>
        {
            await Task.Delay(300);
            var form = await request.Content!.ReadAsStringAsync();
            return TokenResponses.Token("token-" + form.Split('&').Single(p => p.StartsWith("client_id=", StringComparison.Ordinal))["client_id=".Length..]);
        });
        await using var hostA = TransmissionTestHost.With().Storage(Repository(sourceA)).Clock(TimeProvider.System).Http(http).Start();
        await using var hostB = TransmissionTestHost.With().Storage(Repository(sourceB)).Clock(TimeProvider.System).Http(http).Start();
        hostA.ServeApi(The.ApiEndpoint);
        for (var i = 0; i < Companies; i++)
        {
            await hostA.SetDirectAsync($"company-{i}", clientId: $"client-{i}");
        }

        var requests = Enumerable.Range(0, Companies * 10).Select(i => Task.Run(async () =>
        {
            using var response = await (i % 2 == 0 ? hostA : hostB).SendAsync($"company-{i % Companies}");
            return response.StatusCode;
        }));
        var statuses = await Task.WhenAll(requests);

        statuses.Should().OnlyContain(s => s == HttpStatusCode.OK);
        http.GetMatchCount(tokens).Should().Be(Companies, "one token request per company across both hosts");
        hostA.ApiCalls.Should().HaveCount(Companies * 10).And.OnlyContain(c => c.HasCredentials);
    }

    private static DapperCredentialRepository Repository(DbDataSource source)
        => new(source, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
}
