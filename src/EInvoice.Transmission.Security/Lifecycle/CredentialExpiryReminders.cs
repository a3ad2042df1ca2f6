using System.Globalization;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Scans every company's credentials for secrets that expire within a threshold (by default 30, 7 and 1 days) or have
/// expired, and raises one reminder per credential version, secret and threshold: to every registered
/// <see cref="ICredentialExpiryNotifier"/>, as log event 1500 (expiring) or 1501 (expired), and on the counter
/// <c>eits.credentials.expiring</c> tagged <c>threshold</c>.
/// </summary>
/// <remarks>
/// <para>
/// A scan reads the safe statuses a page at a time (<see cref="CredentialExpiryReminderOptions.PageSize"/>), never the
/// whole table, and opens no secret: the expiries are in the status, as sealed with the destination. A secret past
/// several thresholds at once (a host that was down for weeks) gets only the most urgent one.
/// </para>
/// <para>
/// Each reminder is claimed in storage (<see cref="IReminderClaimRepository"/>) before it is raised, so hosts sharing a
/// database, and a host after a restart, raise it once between them. Delivery is at least once: a notifier that throws,
/// or a host that stops between delivering and recording it, leaves the reminder to a later scan (after
/// <see cref="CredentialExpiryReminderOptions.ClaimDuration"/> when the host stopped). A lost reminder is the failure
/// this feature exists to prevent; a rare duplicate is the lesser harm.
/// </para>
/// <para>
/// The hosted service of the package <c>EInvoice.Transmission.Security.Hosting</c> runs <see cref="RunAsync"/>; a host
/// with its own scheduler calls <see cref="ScanAsync"/>.
/// </para>
/// </remarks>
public sealed class CredentialExpiryReminders
{
    private readonly CredentialStore _store;
    private readonly IReminderClaimRepository _claims;
    private readonly ICredentialExpiryNotifier[] _notifiers;
    private readonly CredentialExpiryReminderOptions _options;
    private readonly (TimeSpan Threshold, string Name)[] _thresholds;
    private readonly TimeProvider _timeProvider;
    private readonly TransmissionTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly string _hostName;
    private volatile ScanResult? _lastScan;

    internal CredentialExpiryReminders(
        CredentialStore store,
        IReminderClaimRepository claims,
        IEnumerable<ICredentialExpiryNotifier> notifiers,
        IOptions<CredentialExpiryReminderOptions> options,
        TimeProvider timeProvider,
        TransmissionTelemetry telemetry,
        ILogger<CredentialExpiryReminders> logger)
    {
        _store = store;
        _claims = claims;
        _notifiers = [.. notifiers];
        _options = options.Value;
        _thresholds = [.. ((IEnumerable<TimeSpan>?)_options.Thresholds ?? CredentialExpiryReminderOptions.DefaultThresholds).Order().Select(static t => (t, ThresholdName(t)))];
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        var generated = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        _hostName = _options.HostName ?? (generated.Length > 200 ? generated[^200..] : generated);
    }

    /// <summary>The name of a threshold, as the metric tag and the reminder carry it: whole days as <c>30d</c>, else hours (<c>12h</c>) or minutes (<c>90m</c>).</summary>
    /// <param name="threshold">The threshold.</param>
    /// <returns>The name.</returns>
    public static string ThresholdName(TimeSpan threshold)
        => threshold.Ticks % TimeSpan.TicksPerDay == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)threshold.TotalDays}d")
            : threshold.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)threshold.TotalHours}h")
            : string.Create(CultureInfo.InvariantCulture, $"{(long)threshold.TotalMinutes}m");

    /// <summary>
    /// Returns the most urgent threshold <paramref name="expiresAt"/> has reached at <paramref name="now"/>:
    /// <see cref="CredentialExpiryReminder.ExpiredThresholdName"/> once it has passed, the smallest threshold not shorter
    /// than the time left, or <see langword="null"/> when it is further away than every threshold.
    /// </summary>
    /// <param name="expiresAt">The expiry.</param>
    /// <param name="now">The time to compare with.</param>
    /// <returns>The threshold's name, or <see langword="null"/>.</returns>
    public string? ThresholdReached(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var left = expiresAt - now;
        if (left <= TimeSpan.Zero)
        {
            return CredentialExpiryReminder.ExpiredThresholdName;
        }

        foreach (var (threshold, name) in _thresholds)
        {
            if (left <= threshold)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Scans every company once and raises the reminders that are due and not raised yet.</summary>
    /// <param name="cancellationToken">Stops the scan; reminders raised so far stay raised.</param>
    /// <returns>The number of reminders this call raised.</returns>
    public Task<int> ScanAsync(CancellationToken cancellationToken = default) => ScanCoreAsync(raise: true, cancellationToken);

    /// <summary>The secrets the last complete scan found expired or within a threshold, and when it ended; <see langword="null"/> before the first.</summary>
    internal ScanResult? LastScan => _lastScan;

    /// <summary>The last scan's findings, scanning again (without raising reminders) when they are older than two intervals: a health probe's view.</summary>
    internal async Task<IReadOnlyList<CredentialExpiryReminder>> CurrentlyDueAsync(CancellationToken cancellationToken)
    {
        if (_lastScan is not { } last || _timeProvider.GetUtcNow() - last.CompletedAt > 2 * _options.ScanInterval)
        {
            await ScanCoreAsync(raise: false, cancellationToken).ConfigureAwait(false);
        }

        return _lastScan!.Due;
    }

    private async Task<int> ScanCoreAsync(bool raise, CancellationToken cancellationToken)
    {
        string? after = null;
        int companies = 0, raised = 0;
        var due = new List<CredentialExpiryReminder>();
        try
        {
            while (true)
            {
                var page = await _store.ListStatusesAsync(after, _options.PageSize, cancellationToken).ConfigureAwait(false);
                foreach (var status in page)
                {
                    companies++;
                    foreach (var (secret, expiresAt) in status.SecretExpiries.OrderBy(static e => e.Key, StringComparer.Ordinal))
                    {
                        if (ThresholdReached(expiresAt, _timeProvider.GetUtcNow()) is not { } threshold)
                        {
                            continue;
                        }

                        due.Add(Reminder(status, secret, expiresAt, threshold));
                        if (raise && await RaiseAsync(status, secret, expiresAt, threshold, cancellationToken).ConfigureAwait(false))
                        {
                            raised++;
                        }
                    }
                }

                if (page.Count < _options.PageSize)
                {
                    break;
                }

                after = page[^1].CompanyId;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.ExpiryScanFailed(after, ex.GetType().Name, _timeProvider.GetUtcNow() + _options.ScanInterval);
            throw;
        }

        _lastScan = new ScanResult(_timeProvider.GetUtcNow(), due);
        _logger.ExpiryScanCompleted(companies, raised);
        return raised;
    }

    /// <summary>Scans at once, then every <see cref="CredentialExpiryReminderOptions.ScanInterval"/>, until cancelled. A failed scan is logged (event 1503) and the next one runs as planned.</summary>
    /// <param name="cancellationToken">Stops the loop.</param>
    /// <returns>A task that completes when the loop stopped.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Logged by the scan (event 1503); the next scan runs as planned.
            }

            try
            {
                await Task.Delay(_options.ScanInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static CredentialExpiryReminder Reminder(CredentialStatus status, string secret, DateTimeOffset expiresAt, string threshold) => new()
    {
        CompanyId = status.CompanyId,
        Kind = status.Kind,
        Environment = status.Environment,
        SecretName = secret,
        ExpiresAt = expiresAt,
        Threshold = threshold,
        CredentialVersion = status.Version,
        IsDestinationIntact = status.IsDestinationIntact,
    };

    private async Task<bool> RaiseAsync(CredentialStatus status, string secret, DateTimeOffset expiresAt, string threshold, CancellationToken cancellationToken)
    {
        var claim = new ReminderClaim(status.CompanyId, status.Version, secret, threshold, expiresAt, _hostName);
        var claimedAt = _timeProvider.GetUtcNow();
        if (!await _claims.TryClaimReminderAsync(claim, claimedAt, claimedAt + _options.ClaimDuration, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var reminder = Reminder(status, secret, expiresAt, threshold);

        try
        {
            // The notifiers stop when the claim runs out: past it, another host may raise the same reminder.
            using var lease = new CancellationTokenSource(_options.ClaimDuration, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Token);
            foreach (var notifier in _notifiers)
            {
                await notifier.NotifyAsync(reminder, linked.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _logger.ExpiryReminderNotDelivered(status.CompanyId, secret, threshold, ex.GetType().Name);

            // Free for the next scan at once; recorded even when the host is stopping.
            await _claims.CompleteReminderAsync(claim, delivered: false, _timeProvider.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return false;
        }

        await _claims.CompleteReminderAsync(claim, delivered: true, _timeProvider.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        if (reminder.IsExpired)
        {
            _logger.CredentialExpired(status.CompanyId, secret, expiresAt, status.Version);
        }
        else
        {
            _logger.CredentialExpiring(status.CompanyId, secret, expiresAt, threshold, status.Version);
        }

        if (!status.IsDestinationIntact)
        {
            _logger.ExpiryReminderForTamperedCredentials(status.CompanyId, secret, threshold, expiresAt);
        }

        _telemetry.ExpiryReminder(threshold);
        return true;
    }

    /// <summary>What a complete scan found: every secret expired or within a threshold.</summary>
    internal sealed record ScanResult(DateTimeOffset CompletedAt, IReadOnlyList<CredentialExpiryReminder> Due);
}
