using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.HealthChecks;
using EInvoice.Transmission.Security.HealthChecks.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the library's health checks to the host's <see cref="IHealthChecksBuilder"/>.</summary>
public static class HealthChecksEInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Registers four checks, each tagged <see cref="EInvoiceTransmissionHealthChecks.Tag"/> and any <paramref name="tags"/>:
    /// <see cref="EInvoiceTransmissionHealthChecks.KeyRing"/>, <see cref="EInvoiceTransmissionHealthChecks.Storage"/>,
    /// <see cref="EInvoiceTransmissionHealthChecks.Tokens"/> and <see cref="EInvoiceTransmissionHealthChecks.Expiry"/>.
    /// Their data names companies and reasons, never a secret. Call it after <c>AddEInvoiceTransmission()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="tags">More tags for the four checks, such as <c>ready</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>
    /// A probe costs an AES-GCM seal and open, one storage read (and a schema version read), a walk over this process's
    /// token cache, and the last reminder scan's findings (a scan without reminders when none ran for two scan
    /// intervals). Per-company problems make <see cref="EInvoiceTransmissionHealthChecks.Tokens"/> and
    /// <see cref="EInvoiceTransmissionHealthChecks.Expiry"/> Degraded, never Unhealthy: one company's expired secret, or
    /// an identity provider (possibly hostile) refusing one company, must not take the service out of a load balancer
    /// for every other company. Only an unusable key ring or storage is Unhealthy.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddEInvoiceTransmission()</c> was not called first.</exception>
    public static IHealthChecksBuilder AddEInvoiceTransmissionChecks(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tags);
        if (!builder.Services.Any(static d => d.ServiceType == typeof(CredentialStore)))
        {
            throw new InvalidOperationException("Call services.AddEInvoiceTransmission() before AddEInvoiceTransmissionChecks().");
        }

        builder.Services.AddEInvoiceTransmission().AddTransmissionHealthProbe();
        string[] all = [EInvoiceTransmissionHealthChecks.Tag, .. tags];
        return builder
            .Add(new HealthCheckRegistration(EInvoiceTransmissionHealthChecks.KeyRing, static sp => new KeyRingHealthCheck(sp.GetRequiredService<TransmissionHealthProbe>()), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(EInvoiceTransmissionHealthChecks.Storage, static sp => new StorageHealthCheck(sp.GetRequiredService<TransmissionHealthProbe>()), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(EInvoiceTransmissionHealthChecks.Tokens, static sp => new TokenHealthCheck(sp.GetRequiredService<TransmissionHealthProbe>()), HealthStatus.Degraded, all))
            .Add(new HealthCheckRegistration(EInvoiceTransmissionHealthChecks.Expiry, static sp => new ExpiryHealthCheck(sp.GetRequiredService<TransmissionHealthProbe>()), HealthStatus.Degraded, all));
    }
}
