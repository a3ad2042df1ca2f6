using System.ComponentModel.DataAnnotations;

// RangeAttribute(Type, string, string) and MaxLengthAttribute read by reflection when used through DataAnnotations; these
// options are checked by the source-generated validator ([OptionsValidator]), which compares without reflection.
#pragma warning disable IL2026

namespace EInvoice.Transmission.Security;

/// <summary>
/// Options of the expiry reminders (<see cref="CredentialExpiryReminders"/>), section
/// <c>EInvoiceTransmission:Reminders</c>. Validated at start.
/// </summary>
public sealed class CredentialExpiryReminderOptions
{
    /// <summary>The thresholds used when <see cref="Thresholds"/> is not set: 30, 7 and 1 days.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultThresholds = [TimeSpan.FromDays(30), TimeSpan.FromDays(7), TimeSpan.FromDays(1)];

    /// <summary>
    /// Gets or sets how long before a secret's expiry a reminder is raised: one reminder per threshold (and one when it
    /// has expired). Each between one minute and 3,650 days, no two equal.
    /// </summary>
    /// <value><see langword="null"/> for <see cref="DefaultThresholds"/>.</value>
    public IList<TimeSpan>? Thresholds { get; set; }

    /// <summary>Gets or sets the time between two scans, from 1 second to 1 day.</summary>
    /// <value>One hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many companies a scan reads from storage at a time, 1 to 10,000.</summary>
    /// <value>500.</value>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// Gets or sets how long a host holds a reminder it claimed before another host may raise it, if the first never
    /// recorded the delivery (it stopped); the notifier is cancelled when it runs out. From 10 seconds to 1 day.
    /// </summary>
    /// <value>Ten minutes.</value>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ClaimDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets the name this host claims reminders under (at most 200 characters).</summary>
    /// <value><see langword="null"/> for the machine name, process id and a random suffix.</value>
    [MaxLength(200)]
    public string? HostName { get; set; }
}
