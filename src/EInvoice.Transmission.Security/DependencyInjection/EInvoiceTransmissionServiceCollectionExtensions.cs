using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Internal;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers EInvoice.Transmission.Security in a service collection.
/// </summary>
public static class EInvoiceTransmissionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the credential vault, the credential store and their options, validated when the host starts.
    /// Configure the options elsewhere, for example with <c>services.Configure&lt;CredentialVaultOptions&gt;(...)</c>,
    /// and choose storage on the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to choose storage and further options with.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>Every registration uses <c>TryAdd</c>, so calling this method more than once is harmless.</remarks>
    public static IEInvoiceTransmissionBuilder AddEInvoiceTransmission(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // ValidateOnStart adds a configuration action on every call, so the core registrations run only once.
        if (services.Any(d => d.ServiceType == typeof(EInvoiceTransmissionMarker)))
        {
            return new EInvoiceTransmissionBuilder(services);
        }

        services.AddSingleton<EInvoiceTransmissionMarker>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<CredentialVaultOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialVaultOptions>, CredentialVaultOptionsValidator>());
        services.TryAddSingleton<IKeyEncryptionKeyProvider, OptionsKeyEncryptionKeyProvider>();
        services.TryAddSingleton(static sp => CredentialVault.Create(
            sp.GetRequiredService<IKeyEncryptionKeyProvider>(),
            sp.GetService<DataKeyCache>() is { } cache
                ? [.. sp.GetServices<IKeyWrapper>().Select(custodian => new CachingKeyWrapper(custodian, cache))]
                : sp.GetServices<IKeyWrapper>(),
            new Lazy<string?>(() => sp.GetRequiredService<IOptions<CredentialVaultOptions>>().Value.WrapKeyId),
            new Lazy<bool>(() => sp.GetRequiredService<IOptions<CredentialVaultOptions>>().Value.LocalKeysOpenEnvelopes)));

        // The core registers no ICredentialRepository: the host chooses one with a Use... method. The audit trail and the
        // token lease default to that same repository; a host's own repository must then implement them (checked at start).
        services.TryAddSingleton(StorageContractForwarding.AuditTrail);
        services.TryAddSingleton(StorageContractForwarding.TokenLease);
        services.AddOptions<CredentialStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialStoreOptions>, ConfigurationPathValidator<CredentialStoreOptions>>(
            static _ => new(new CredentialStoreOptionsValidator(), $"{EInvoiceTransmissionDefaults.ConfigurationSectionName}:{EInvoiceTransmissionDefaults.CredentialsSectionName}")));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialStoreOptions>, StorageRegistrationValidator>());
        services.TryAddSingleton<IMfaVerifier, MissingMfaVerifier>();

        services.TryAddSingleton(static sp => new CredentialStore(
            sp.GetService<ICredentialRepository>() ?? throw new InvalidOperationException(StorageRegistrationValidator.NoRepositoryMessage),
            sp.GetRequiredService<IAuditTrailRepository>(),
            sp.GetRequiredService<CredentialVault>(),
            // The built-in kinds, with their defaults from OAuthOptions, and the host's own (AddCredentialKind).
            CredentialKindRegistry.BuiltIn(sp.GetRequiredService<IOptions<OAuthOptions>>().Value).Concat(sp.GetServices<CredentialKind>()),
            sp.GetRequiredService<IMfaVerifier>(),
            sp.GetRequiredService<IOptions<CredentialStoreOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CredentialStore>>()));

        // The token path's own way into storage (read with secrets opened, store tokens, lease), apart from the admin API.
        services.TryAddSingleton(static sp => new TokenPathGateway(
            sp.GetService<ICredentialRepository>() ?? throw new InvalidOperationException(StorageRegistrationValidator.NoRepositoryMessage),
            sp.GetRequiredService<ITokenLeaseRepository>(),
            sp.GetRequiredService<IAuditTrailRepository>(),
            sp.GetRequiredService<CredentialStore>().Kinds,
            sp.GetRequiredService<CredentialVault>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CredentialStore>>(),
            sp.GetRequiredService<IOptions<CredentialStoreOptions>>().Value.AcceptLegacyDestinationSeals));

        services.AddOptions<OAuthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthOptions>, ConfigurationPathValidator<OAuthOptions>>(
            static _ => new(new OAuthOptionsValidator(), $"{EInvoiceTransmissionDefaults.ConfigurationSectionName}:{EInvoiceTransmissionDefaults.OAuthSectionName}")));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthOptions>, OAuthOptionsRulesValidator>());

        // Token requests never follow redirects: a 307 would re-post the client secret to wherever it points. The guard
        // holds even when the host replaces the primary handler (for a proxy, say).
        // Its request logging shows no header value at all: Basic client authentication carries the secret.
        var tokenClient = services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false });
        RedirectGuard.Apply(tokenClient);
        CredentialSafeHttpClientLogger.Replace(tokenClient, static _ => static _ => true);
        // AddHttpClient registers IMeterFactory (AddMetrics); calling AddMetrics again would duplicate its registrations.
        services.TryAddSingleton(static sp => new TransmissionTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<TokenClient>();
        services.TryAddSingleton<AccessTokenCache>();
        services.TryAddSingleton(static sp => new CredentialConnectionTester(sp.GetRequiredService<AccessTokenCache>()));
        services.TryAddSingleton(static sp => new CredentialRollover(
            sp.GetRequiredService<CredentialStore>(),
            sp.GetService<ICredentialRepository>() ?? throw new InvalidOperationException(StorageRegistrationValidator.NoRepositoryMessage),
            sp.GetRequiredService<TokenPathGateway>(),
            sp.GetRequiredService<AccessTokenCache>()));
        return new EInvoiceTransmissionBuilder(services);
    }

    /// <summary>Registers the library and configures the credential vault's key ring in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureVault">Sets the key ring: <see cref="CredentialVaultOptions.ActiveKeyId"/> and <see cref="CredentialVaultOptions.Keys"/>.</param>
    /// <returns>A builder to choose storage and further options with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddEInvoiceTransmission(this IServiceCollection services, Action<CredentialVaultOptions> configureVault)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureVault);

        var builder = services.AddEInvoiceTransmission();
        services.Configure(configureVault);
        return builder;
    }

    /// <summary>
    /// Registers the library and binds its options from a configuration section, normally
    /// <c>configuration.GetSection("EInvoiceTransmission")</c> (<see cref="EInvoiceTransmissionDefaults.ConfigurationSectionName"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>EInvoiceTransmission</c> section; its <c>Vault</c> sub-section holds the key ring.</param>
    /// <returns>A builder to choose storage and further options with.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddEInvoiceTransmission(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var builder = services.AddEInvoiceTransmission();
        services.AddOptions<CredentialVaultOptions>().Bind(configuration.GetSection(EInvoiceTransmissionDefaults.VaultSectionName));
        services.AddOptions<CredentialStoreOptions>().Bind(configuration.GetSection(EInvoiceTransmissionDefaults.CredentialsSectionName));
        services.AddOptions<OAuthOptions>().Bind(configuration.GetSection(EInvoiceTransmissionDefaults.OAuthSectionName));
        services.AddOptions<CredentialExpiryReminderOptions>().Bind(configuration.GetSection(EInvoiceTransmissionDefaults.RemindersSectionName));
        return builder;
    }
}
