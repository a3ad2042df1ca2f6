using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Expiry reminders (issue #14, scope 2) on every storage: each threshold raised once per credential version and
/// secret — across scans, a restart (a new scanner under another host name) and two hosts scanning the same storage at
/// once — through the notifier, log events 1500/1501 and the counter <c>eits.credentials.expiring</c>. Delivery is at
/// least once: a failed notifier or a host that stopped holding a claim leaves the reminder to a later scan.
/// </summary>
public abstract partial class CredentialStorageContractTests
{
    private const string ClientSecretField = OAuthClientCredentialsKind.ClientSecret;

    private CredentialExpiryReminders RemindersFor(RecordingNotifier notifier, string host = "host-a", Action<CredentialExpiryReminderOptions>? configure = null, IMeterFactory? meters = null)
        => Some.Reminders(Store, Repository, Clock, [notifier], host, configure, new FakeLogger<CredentialExpiryReminders>(Logs), meters);

    private Task ExpiresAsync(string companyId, DateTimeOffset expiresAt)
        => Store.SetAsync(companyId, The.DirectCredentials.WithSecretExpiry(ClientSecretField, expiresAt), The.AdminWithMfa);

    [SkippableFact]
    public async Task ScanAsync_ClockPassesEveryThreshold_RaisesEachOnceThroughNotifierLogAndMetric()
    {
        var expiresAt = The.Now.AddDays(40);
        await ExpiresAsync(The.CompanyId, expiresAt);
        var notifier = new RecordingNotifier();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var metric = new MetricCollector<long>(meters, "EInvoice.Transmission.Security", "eits.credentials.expiring");
        var reminders = RemindersFor(notifier, meters: meters);

        (await reminders.ScanAsync()).Should().Be(0, "40 days left is beyond every threshold");
        foreach (var (threshold, at) in new[] { ("30d", expiresAt.AddDays(-30)), ("7d", expiresAt.AddDays(-7)), ("1d", expiresAt.AddDays(-1)), ("expired", expiresAt) })
        {
            Clock.SetUtcNow(at.AddSeconds(-1));
            var before = notifier.Lines.Count;
            await reminders.ScanAsync();
            notifier.Lines.Count.Should().Be(before, $"one second before {threshold} nothing new is due");

            Clock.SetUtcNow(at);
            (await reminders.ScanAsync()).Should().Be(1, threshold);
            (await reminders.ScanAsync()).Should().Be(0, $"{threshold} is raised once");
        }

        Clock.Advance(TimeSpan.FromDays(30));
        (await reminders.ScanAsync()).Should().Be(0, "an expired secret is reminded once per version");

        notifier.Lines.Should().Equal($"{The.CompanyId} client_secret 30d", $"{The.CompanyId} client_secret 7d", $"{The.CompanyId} client_secret 1d", $"{The.CompanyId} client_secret expired");
        notifier.Received.Should().OnlyContain(r => r.ExpiresAt == expiresAt && r.CredentialVersion == 1 && r.Kind == OAuthClientCredentialsKind.KindName && r.IsDestinationIntact);
        notifier.Received[^1].IsExpired.Should().BeTrue();
        Logs.GetSnapshot().Where(r => r.Id.Id == 1500).Should().HaveCount(3).And.OnlyContain(r => r.Level == LogLevel.Warning);
        Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1501).Which.Level.Should().Be(LogLevel.Error);
        metric.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["threshold"])).Should().Equal((1L, "30d"), (1L, "7d"), (1L, "1d"), (1L, "expired"));
    }

    [SkippableFact]
    public async Task ScanAsync_SecretAlreadyPastSeveralThresholds_RaisesOnlyTheMostUrgent()
    {
        await ExpiresAsync(The.CompanyId, The.Now.AddDays(5));
        await ExpiresAsync(The.OtherCompanyId, The.Now.AddHours(-1));
        var notifier = new RecordingNotifier();

        await RemindersFor(notifier).ScanAsync();

        notifier.Lines.Should().BeEquivalentTo($"{The.CompanyId} client_secret 7d", $"{The.OtherCompanyId} client_secret expired");
    }

    [SkippableFact]
    public async Task ScanAsync_ConfiguredThresholds_AreUsedInsteadOfTheDefaults()
    {
        await ExpiresAsync(The.CompanyId, The.Now.AddDays(13));
        var notifier = new RecordingNotifier();

        await RemindersFor(notifier, configure: o => o.Thresholds = [TimeSpan.FromDays(14), TimeSpan.FromHours(12)]).ScanAsync();
        Clock.Advance(TimeSpan.FromDays(12.5));
        await RemindersFor(notifier, configure: o => o.Thresholds = [TimeSpan.FromDays(14), TimeSpan.FromHours(12)]).ScanAsync();

        notifier.Lines.Should().Equal($"{The.CompanyId} client_secret 14d", $"{The.CompanyId} client_secret 12h");
    }

    [SkippableFact]
    public async Task ScanAsync_AfterARestartUnderAnotherHostName_RaisesNothingTwice_AndANewVersionStartsAgain()
    {
        await ExpiresAsync(The.CompanyId, The.Now.AddDays(20));
        var notifier = new RecordingNotifier();
        await RemindersFor(notifier, "host-a").ScanAsync();

        // The process restarted: a new scanner, a new host name, the same storage.
        (await RemindersFor(notifier, "host-a-restarted").ScanAsync()).Should().Be(0);
        Clock.Advance(TimeSpan.FromDays(13));
        (await RemindersFor(notifier, "host-a-restarted").ScanAsync()).Should().Be(1);
        (await RemindersFor(notifier, "host-a").ScanAsync()).Should().Be(0);

        // The administrator enters the renewed secret's date: version 2 has reminders of its own.
        await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecretExpiry(ClientSecretField, Clock.GetUtcNow().AddDays(6)), The.AdminWithMfa);
        (await RemindersFor(notifier, "host-a").ScanAsync()).Should().Be(1);

        notifier.Received.Select(r => (r.Threshold, r.CredentialVersion)).Should().Equal(("30d", 1L), ("7d", 1L), ("7d", 2L));
    }

    [SkippableFact]
    public async Task ScanAsync_TwoHostsAtOnce_RaiseEachReminderOnceBetweenThem()
    {
        const int Companies = 12;
        for (var i = 0; i < Companies; i++)
        {
            await ExpiresAsync($"company-{i:D2}", The.Now.AddDays(3));
        }

        var notifierA = new RecordingNotifier { During = () => Task.Delay(1) };
        var notifierB = new RecordingNotifier { During = () => Task.Delay(1) };
        var hostA = RemindersFor(notifierA, "host-a", o => o.PageSize = 5);
        var hostB = RemindersFor(notifierB, "host-b", o => o.PageSize = 5);

        var raised = await Task.WhenAll(Task.Run(() => hostA.ScanAsync()), Task.Run(() => hostB.ScanAsync()), Task.Run(() => hostA.ScanAsync()));

        raised.Sum().Should().Be(Companies);
        notifierA.Lines.Concat(notifierB.Lines).Should().HaveCount(Companies).And.OnlyHaveUniqueItems();
    }

    [SkippableFact]
    public async Task ScanAsync_NotifierFails_ReminderIsRaisedAgainAtTheNextScan()
    {
        await ExpiresAsync(The.CompanyId, The.Now.AddDays(3));
        var notifier = new RecordingNotifier { Fail = true };
        var reminders = RemindersFor(notifier);

        (await reminders.ScanAsync()).Should().Be(0);
        Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1502);
        Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 1500, "nothing was delivered yet");

        notifier.Fail = false;
        (await reminders.ScanAsync()).Should().Be(1);
        (await reminders.ScanAsync()).Should().Be(0);
        notifier.Lines.Should().Equal($"{The.CompanyId} client_secret 7d");
    }

    [SkippableFact]
    public async Task ScanAsync_AHostStoppedHoldingAClaim_AnotherRaisesItOnceTheClaimRunsOut()
    {
        await ExpiresAsync(The.CompanyId, The.Now.AddDays(3));
        var claims = Some.AlsoAs<IReminderClaimRepository>(Repository);
        var crashed = new ReminderClaim(The.CompanyId, 1, ClientSecretField, "7d", The.Now.AddDays(3), "host-that-crashed");
        (await claims.TryClaimReminderAsync(crashed, Clock.GetUtcNow(), Clock.GetUtcNow().AddMinutes(10))).Should().BeTrue();
        var notifier = new RecordingNotifier();

        (await RemindersFor(notifier, "host-b").ScanAsync()).Should().Be(0, "the claim still runs");
        Clock.Advance(TimeSpan.FromMinutes(10));
        (await RemindersFor(notifier, "host-b").ScanAsync()).Should().Be(1, "at least once: the crashed host never recorded a delivery");

        // The crashed host comes back and records its stale claim: it no longer holds it, nothing changes.
        await claims.CompleteReminderAsync(crashed, delivered: false, Clock.GetUtcNow());
        (await RemindersFor(notifier, "host-b").ScanAsync()).Should().Be(0);
        notifier.Lines.Should().Equal($"{The.CompanyId} client_secret 7d");
    }

    [SkippableFact]
    public async Task ScanAsync_ExpiryMovedInStorageToSilenceReminders_StillRemindsAtTheSealedDate()
    {
        var expiresAt = The.Now.AddDays(40);
        await ExpiresAsync(The.CompanyId, expiresAt);
        await TamperWithRowAsync(r => r with { SecretExpiries = new Dictionary<string, DateTimeOffset> { [ClientSecretField] = expiresAt.AddYears(5) } });
        var notifier = new RecordingNotifier();

        Clock.SetUtcNow(expiresAt.AddDays(-30));
        await RemindersFor(notifier).ScanAsync();

        notifier.Received.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Threshold = "30d", ExpiresAt = expiresAt, IsDestinationIntact = false });
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1505 && r.Level == LogLevel.Error);
    }

    [SkippableFact]
    public async Task ScanAsync_ManyPages_RemindsEveryCompanyAndOpensNoSecret()
    {
        for (var i = 0; i < 7; i++)
        {
            await ExpiresAsync($"company-{i}", The.Now.AddDays(i + 1));
        }

        await Store.SetAsync("company-no-expiry", The.DirectCredentials, The.AdminWithMfa);
        var notifier = new RecordingNotifier();

        (await RemindersFor(notifier, configure: o => o.PageSize = 2).ScanAsync()).Should().Be(7);

        notifier.Received.Select(r => r.CompanyId).Should().BeEquivalentTo(Enumerable.Range(0, 7).Select(i => $"company-{i}"));
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1504 && r.Message.Contains("8 companies", StringComparison.Ordinal));
    }
}
