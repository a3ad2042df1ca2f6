using EInvoice.Transmission.Security.Hosting;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Tests.Lifecycle;

/// <summary>
/// The hosted reminder service (package EInvoice.Transmission.Security.Hosting) as a host runs it: registered once,
/// scanning at start and then every interval on the host's clock, stopping with the host; its options validated at start
/// with messages that name the setting.
/// </summary>
public sealed class CredentialExpiryReminderServiceTests
{
    private static ServiceCollection Services(FakeTimeProvider clock, RecordingNotifier notifier, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IMfaVerifier>(sp => new TestMfaVerifier(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ICredentialExpiryNotifier>(notifier);
        var builder = configuration is null
            ? services.AddEInvoiceTransmission(vault =>
            {
                vault.ActiveKeyId = The.KeyId;
                vault.Keys[The.KeyId] = The.Key;
            })
            : services.AddEInvoiceTransmission(configuration);
        builder.UseInMemoryCredentialRepository().AddCredentialExpiryReminderService();
        return services;
    }

    [Fact]
    public async Task StartAsync_ThenTheClockPassesAThreshold_TheNextScheduledScanRaisesIt()
    {
        var clock = Some.Clock();
        var notifier = new RecordingNotifier();
        var services = Services(clock, notifier);
        services.AddEInvoiceTransmission().AddCredentialExpiryReminderService();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<CredentialStore>();
        await store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddDays(30).AddMinutes(30)), The.AdminWithMfa);
        var hosted = provider.GetServices<IHostedService>().Should().ContainSingle("registered once, however often it is added").Which.Should().BeOfType<CredentialExpiryReminderService>().Subject;

        await hosted.StartAsync(CancellationToken.None);
        var logs = provider.GetFakeLogCollector();
        await Eventually.TrueAsync(() => logs.GetSnapshot().Any(r => r.Id.Id == 1504), "the first scan ran at start");
        notifier.Received.Should().BeEmpty("30 days and 30 minutes are left");

        // The host's clock moves on in steps of ten minutes (the service may still be between its scan and its wait):
        // the scan due an hour after the first raises the reminder, and nothing runs before it is due.
        var waited = TimeSpan.Zero;
        while (notifier.Received.Count == 0 && waited < TimeSpan.FromHours(3))
        {
            clock.Advance(TimeSpan.FromMinutes(10));
            waited += TimeSpan.FromMinutes(10);
            await Task.Delay(20);
        }

        notifier.Received.Should().ContainSingle();
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromHours(1), "the next scan is an interval after the first");
        await hosted.StopAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromDays(29));
        await Task.Delay(50);
        notifier.Lines.Should().Equal($"{The.CompanyId} client_secret 30d");
    }

    [Theory]
    [InlineData("Thresholds:0", "00:00:00", "Thresholds")]
    [InlineData("Thresholds:0", "3.00:00:00", "names a threshold twice", "Thresholds:1", "3.00:00:00")]
    [InlineData("ScanInterval", "00:00:00", "ScanInterval")]
    [InlineData("PageSize", "0", "PageSize")]
    [InlineData("ClaimDuration", "00:00:01", "ClaimDuration")]
    public void Validate_OutOfRange_FailsAtStartNamingTheSetting(string key, string value, string message, string? otherKey = null, string? otherValue = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Vault:ActiveKeyId"] = The.KeyId,
            [$"Vault:Keys:{The.KeyId}"] = The.Key,
            [$"Reminders:{key}"] = value,
        };
        if (otherKey is not null)
        {
            settings[$"Reminders:{otherKey}"] = otherValue;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = Services(Some.Clock(), new RecordingNotifier(), configuration).BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("EInvoiceTransmission:Reminders").And.Contain(message);
    }

    [Fact]
    public void Options_BoundFromConfiguration_ReplaceTheDefaultThresholds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vault:ActiveKeyId"] = The.KeyId,
            [$"Vault:Keys:{The.KeyId}"] = The.Key,
            ["Reminders:Thresholds:0"] = "14.00:00:00",
        }).Build();
        using var provider = Services(Some.Clock(), new RecordingNotifier(), configuration).BuildServiceProvider();

        provider.GetRequiredService<IOptions<CredentialExpiryReminderOptions>>().Value.Thresholds.Should().Equal(TimeSpan.FromDays(14));
        provider.GetRequiredService<CredentialExpiryReminders>().ThresholdReached(The.Now.AddDays(20), The.Now).Should().BeNull("30 days is no longer a threshold");
    }
}
