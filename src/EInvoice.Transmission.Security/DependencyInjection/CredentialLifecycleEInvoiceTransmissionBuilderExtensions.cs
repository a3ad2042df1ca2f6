using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the credential lifecycle (expiry reminders) to the builder returned by <c>AddEInvoiceTransmission</c>.</summary>
public static class CredentialLifecycleEInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="CredentialExpiryReminders"/> and its options (section <c>EInvoiceTransmission:Reminders</c>,
    /// validated at start). Storage must implement <see cref="IReminderClaimRepository"/> (the built-in repositories do).
    /// Nothing scans until something runs it: the hosted service of <c>EInvoice.Transmission.Security.Hosting</c>
    /// (<c>AddCredentialExpiryReminderService()</c>), or the host's own scheduler calling
    /// <see cref="CredentialExpiryReminders.ScanAsync"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options, or <see langword="null"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddCredentialExpiryReminders(this IEInvoiceTransmissionBuilder builder, Action<CredentialExpiryReminderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<CredentialExpiryReminderOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialExpiryReminderOptions>, ConfigurationPathValidator<CredentialExpiryReminderOptions>>(
            static _ => new(new CredentialExpiryReminderOptionsValidator(), CredentialExpiryReminderThresholdsValidator.Section)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialExpiryReminderOptions>, CredentialExpiryReminderThresholdsValidator>());
        services.TryAddSingleton(StorageContractForwarding.ReminderClaims);
        services.TryAddSingleton(static sp => new CredentialExpiryReminders(
            sp.GetRequiredService<CredentialStore>(),
            sp.GetRequiredService<IReminderClaimRepository>(),
            sp.GetServices<ICredentialExpiryNotifier>(),
            sp.GetRequiredService<IOptions<CredentialExpiryReminderOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<TransmissionTelemetry>(),
            sp.GetRequiredService<ILogger<CredentialExpiryReminders>>()));
        return builder;
    }

    /// <summary>
    /// Registers <see cref="TransmissionHealthProbe"/> (and the expiry reminders it reads, without the hosted service):
    /// what the package <c>EInvoice.Transmission.Security.HealthChecks</c> asks on every probe.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddTransmissionHealthProbe(this IEInvoiceTransmissionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCredentialExpiryReminders();
        builder.Services.TryAddSingleton(static sp => new TransmissionHealthProbe(
            sp.GetRequiredService<CredentialVault>(),
            sp.GetService<ICredentialRepository>() ?? throw new InvalidOperationException(StorageRegistrationValidator.NoRepositoryMessage),
            sp.GetRequiredService<AccessTokenCache>(),
            sp.GetRequiredService<CredentialExpiryReminders>()));
        return builder;
    }
}
