using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Pkcs11;
using EInvoice.Transmission.Security.Pkcs11.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a PKCS#11 token as a key custodian of EInvoice.Transmission.Security.</summary>
public static class Pkcs11EInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Adds the PKCS#11 key custodian: data keys are wrapped by an AES-256 key object on the token that the process never
    /// reads. Set <c>EInvoiceTransmission:Vault:WrapKeyId</c> to <see cref="Pkcs11KeyCustodyOptions.KeyId"/> to seal new
    /// values with it; without that, it only opens envelopes already under its key.
    /// </summary>
    /// <param name="builder">The builder from <c>AddEInvoiceTransmission</c>.</param>
    /// <param name="configure">Sets the module, token, PIN and key.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>The options are validated at start (<c>ValidateOnStart</c>) with messages that name the setting; the token itself is reached on first use.</remarks>
    public static IEInvoiceTransmissionBuilder AddPkcs11KeyCustody(this IEInvoiceTransmissionBuilder builder, Action<Pkcs11KeyCustodyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<Pkcs11KeyCustodyOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pkcs11KeyCustodyOptions>, Pkcs11KeyCustodyOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(Pkcs11KeyWrapper)))
        {
            services.AddSingleton<Pkcs11KeyWrapper>();
            services.AddSingleton<IKeyWrapper>(static sp => sp.GetRequiredService<Pkcs11KeyWrapper>());
        }

        return builder;
    }
}
