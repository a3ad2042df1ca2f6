using Amazon.KeyManagementService;
using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.AwsKms;
using EInvoice.Transmission.Security.AwsKms.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AWS KMS as a key custodian of EInvoice.Transmission.Security.</summary>
public static class AwsKmsEInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Adds the AWS KMS key custodian: each data key is encrypted by KMS under <see cref="AwsKmsKeyCustodyOptions.KmsKeyId"/>
    /// with the company, field and key id as encryption context. Set <c>EInvoiceTransmission:Vault:WrapKeyId</c> to
    /// <see cref="AwsKmsKeyCustodyOptions.KeyId"/> to seal new values with it.
    /// </summary>
    /// <param name="builder">The builder from <c>AddEInvoiceTransmission</c>.</param>
    /// <param name="configure">Sets the KMS key and its key id.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Uses the <see cref="IAmazonKeyManagementService"/> registered in the container, or a client from the AWS SDK's default configuration.</remarks>
    public static IEInvoiceTransmissionBuilder AddAwsKmsKeyCustody(this IEInvoiceTransmissionBuilder builder, Action<AwsKmsKeyCustodyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<AwsKmsKeyCustodyOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AwsKmsKeyCustodyOptions>, AwsKmsKeyCustodyOptionsValidator>());
        services.TryAddSingleton<IAmazonKeyManagementService>(static _ => new AmazonKeyManagementServiceClient());
        if (!services.Any(d => d.ServiceType == typeof(AwsKmsKeyWrapper)))
        {
            services.AddSingleton<AwsKmsKeyWrapper>();
            services.AddSingleton<IKeyWrapper>(static sp => sp.GetRequiredService<AwsKmsKeyWrapper>());
        }

        return builder;
    }
}
