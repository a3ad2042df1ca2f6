using System.Data.Common;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Expiry reminders (issue #14) between two hosts — each with its own repository and connection pool — on one SQLite
/// file and on one PostgreSQL database, scanning at once, then after both restart: each reminder once between them.
/// </summary>
public sealed class ExpiryRemindersOnOneDatabaseTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public Task TwoHostsAndARestart_SqliteFile_EachReminderOnce()
        => RunAsync(() => SqliteFactory.Instance.CreateDataSource(_file.ConnectionString));

    [SkippableFact]
    public async Task TwoHostsAndARestart_PostgreSql_EachReminderOnce()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        await RunAsync(database.CreateDataSource);
    }

    private static async Task RunAsync(Func<DbDataSource> createDataSource)
    {
        const int Companies = 30;
        var clock = new FakeTimeProvider(The.Now);
        var notifierA = new RecordingNotifier { During = () => Task.Delay(1) };
        var notifierB = new RecordingNotifier { During = () => Task.Delay(1) };
        int[] raised;
        using (var sourceA = createDataSource())
        using (var sourceB = createDataSource())
        {
            var repositoryA = Repository(sourceA);
            var repositoryB = Repository(sourceB);
            var storeA = Some.Store(repositoryA, clock);
            for (var i = 0; i < Companies; i++)
            {
                // Spread over every threshold: 0.5 to 44 days ahead, and some already expired.
                await storeA.SetAsync($"company-{i:D2}", The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddHours((i * 36) - 100)), The.AdminWithMfa);
            }

            var hostA = Some.Reminders(storeA, repositoryA, clock, [notifierA], "host-a", o => o.PageSize = 7);
            var hostB = Some.Reminders(Some.Store(repositoryB, clock), repositoryB, clock, [notifierB], "host-b", o => o.PageSize = 7);
            raised = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => (i % 2 == 0 ? hostA : hostB).ScanAsync())));
        }

        var due = notifierA.Lines.Concat(notifierB.Lines).ToList();
        raised.Sum().Should().Be(due.Count, "what the scans report raised is what the notifiers got");
        due.Should().OnlyHaveUniqueItems().And.HaveCount(Companies - Enumerable.Range(0, Companies).Count(i => (i * 36) - 100 > 30 * 24));

        // Both hosts restart (new pools, new names): nothing is raised again; a week later, the next thresholds once.
        using var sourceC = createDataSource();
        var repositoryC = Repository(sourceC);
        var restarted = new RecordingNotifier();
        var hostC = Some.Reminders(Some.Store(repositoryC, clock), repositoryC, clock, [restarted], "host-a-restarted");
        (await hostC.ScanAsync()).Should().Be(0);
        clock.Advance(TimeSpan.FromDays(7));
        await Task.WhenAll(hostC.ScanAsync(), Some.Reminders(Some.Store(repositoryC, clock), repositoryC, clock, [restarted], "host-b-restarted").ScanAsync());
        restarted.Lines.Should().NotBeEmpty().And.OnlyHaveUniqueItems().And.NotIntersectWith(due);
    }

    private static DapperCredentialRepository Repository(DbDataSource source)
        => new(source, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
}
