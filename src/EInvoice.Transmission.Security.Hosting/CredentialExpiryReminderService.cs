using Microsoft.Extensions.Hosting;

namespace EInvoice.Transmission.Security.Hosting;

/// <summary>
/// Runs <see cref="CredentialExpiryReminders"/> in the background of a generic host: a scan at start, then one every
/// <see cref="CredentialExpiryReminderOptions.ScanInterval"/>, until the host stops. Registered by
/// <c>AddCredentialExpiryReminderService()</c>.
/// </summary>
/// <remarks>
/// The scanning, the claims that keep reminders from being raised twice, the log events and the metric all live in the
/// core package; this package only adds the <see cref="BackgroundService"/>, so that the core takes no dependency on
/// <c>Microsoft.Extensions.Hosting.Abstractions</c>.
/// </remarks>
public sealed class CredentialExpiryReminderService : BackgroundService
{
    private readonly CredentialExpiryReminders _reminders;

    /// <summary>Creates the service. Hosts resolve it from dependency injection.</summary>
    /// <param name="reminders">The scanner.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reminders"/> is <see langword="null"/>.</exception>
    public CredentialExpiryReminderService(CredentialExpiryReminders reminders)
    {
        ArgumentNullException.ThrowIfNull(reminders);
        _reminders = reminders;
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _reminders.RunAsync(stoppingToken);
}
