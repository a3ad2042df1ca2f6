using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Key custody options on the builder returned by <c>AddEInvoiceTransmission</c>.</summary>
public static class KeyCustodyEInvoiceTransmissionBuilderExtensions
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.VaultSectionName + ":DataKeyCache";

    /// <summary>
    /// Turns on the data-key cache for the registered key custodians (HSM, KMS): a data key they unwrapped serves later
    /// opens of the same envelope, within the bounds of <see cref="DataKeyCacheOptions"/>. The local key ring is never
    /// cached. Off unless this is called; read the trade-off on <see cref="DataKeyCacheOptions"/> first.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the bounds; <see langword="null"/> keeps the defaults (or what configuration binds).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddDataKeyCache(this IEInvoiceTransmissionBuilder builder, Action<DataKeyCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DataKeyCacheOptions>()
            .Validate(o => o.MaxEntries is >= 1 and <= 1_000_000, $"'{Section}:MaxEntries' must be 1 to 1,000,000.")
            .Validate(o => o.MaxAge > TimeSpan.Zero && o.MaxAge <= TimeSpan.FromDays(1), $"'{Section}:MaxAge' must be more than zero and at most 1 day.")
            .Validate(o => o.MaxUses is >= 1 and <= 1_000_000_000, $"'{Section}:MaxUses' must be 1 to 1,000,000,000.")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DataKeyCache>();
        return builder;
    }
}
