using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the expiry reminder service to the builder returned by <c>AddEInvoiceTransmission</c>.</summary>
public static class HostingEInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Registers the expiry reminders (<c>AddCredentialExpiryReminders</c>) and the hosted service that runs them in the
    /// background. Register an <see cref="ICredentialExpiryNotifier"/> to act on them.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options (thresholds, interval, page size), or <see langword="null"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddCredentialExpiryReminderService(this IEInvoiceTransmissionBuilder builder, Action<CredentialExpiryReminderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCredentialExpiryReminders(configure);

        // AddHostedService uses TryAddEnumerable: calling this twice runs one service.
        builder.Services.AddHostedService<CredentialExpiryReminderService>();
        return builder;
    }
}
