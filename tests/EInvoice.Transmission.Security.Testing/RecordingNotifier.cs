using System.Collections.Concurrent;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>A host's notifier that records every reminder it gets; it can be told to fail.</summary>
public sealed class RecordingNotifier : ICredentialExpiryNotifier
{
    private readonly ConcurrentQueue<CredentialExpiryReminder> _received = new();

    /// <summary>Gets or sets a value indicating whether the next deliveries fail (as an SMTP server that is down).</summary>
    public bool Fail { get; set; }

    /// <summary>Gets or sets an optional action run inside each delivery (to widen a race).</summary>
    public Func<Task>? During { get; set; }

    public IReadOnlyList<CredentialExpiryReminder> Received => [.. _received];

    public async Task NotifyAsync(CredentialExpiryReminder reminder, CancellationToken cancellationToken)
    {
        if (During is { } during)
        {
            await during();
        }

        if (Fail)
        {
            throw new InvalidOperationException("The mail server is down.");
        }

        _received.Enqueue(reminder);
    }

    /// <summary>The reminders as "company secret threshold" lines, in the order received.</summary>
    public IReadOnlyList<string> Lines => [.. Received.Select(r => $"{r.CompanyId} {r.SecretName} {r.Threshold}")];
}
