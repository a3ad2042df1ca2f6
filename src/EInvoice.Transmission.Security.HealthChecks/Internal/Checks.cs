using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EInvoice.Transmission.Security.HealthChecks.Internal;

/// <summary>At most this many companies are named in a result's data, so that a probe's answer stays small.</summary>
internal static class Listing
{
    public const int MaxNamed = 20;

    public static Dictionary<string, object> Data(params (string Key, object Value)[] entries)
        => entries.ToDictionary(static e => e.Key, static e => e.Value, StringComparer.Ordinal);

    public static string[] Named<T>(IEnumerable<T> items, Func<T, string> describe) => [.. items.Take(MaxNamed).Select(describe)];

    public static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

internal sealed class KeyRingHealthCheck(TransmissionHealthProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => await probe.CheckVaultAsync(cancellationToken).ConfigureAwait(false) is { } problem
            ? new HealthCheckResult(context.Registration.FailureStatus, problem)
            : HealthCheckResult.Healthy("The key ring seals and opens.");
}

internal sealed class StorageHealthCheck(TransmissionHealthProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await probe.CheckStorageAsync(cancellationToken).ConfigureAwait(false);
        var data = Listing.Data();
        if (result.Schema is { } schema)
        {
            data["schemaVersion"] = schema.Current;
            data["expectedSchemaVersion"] = schema.Expected;
        }

        if (!result.IsReachable)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Storage did not answer ({result.Failure}).", data: data);
        }

        return result.Schema switch
        {
            { } s when s.Current < s.Expected => new HealthCheckResult(context.Registration.FailureStatus, $"Storage is at schema version {s.Current}; this library needs {s.Expected} (run the migrations).", data: data),
            { } s when s.Current > s.Expected => HealthCheckResult.Degraded($"Storage is at schema version {s.Current}, newer than this library's {s.Expected}.", data: data),
            _ => HealthCheckResult.Healthy("Storage answers at the expected schema version.", data),
        };
    }
}

internal sealed class TokenHealthCheck(TransmissionHealthProbe probe) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = probe.GetTokenProblems(Listing.MaxNamed * 5);
        if (problems.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No company's token requests are failing."));
        }

        var permanent = problems.Where(static p => p.IsPermanent).ToList();
        var backingOff = problems.Where(static p => !p.IsPermanent).ToList();
        var data = Listing.Data(
            ("failingPermanently", Listing.Named(permanent, static p => $"{p.CompanyId}: {p.Error} ({p.ConsecutiveFailures} failures)")),
            ("backingOff", Listing.Named(backingOff, p => $"{p.CompanyId}: {p.Error} ({p.ConsecutiveFailures} failures, next attempt {Listing.Instant(p.RetryAt)})")));
        return Task.FromResult(permanent.Count > 0
            ? new HealthCheckResult(context.Registration.FailureStatus, $"{permanent.Count} companies' token requests are refused permanently; {backingOff.Count} back off.", data: data)
            : HealthCheckResult.Degraded($"{backingOff.Count} companies' token requests are failing and backing off.", data: data));
    }
}

internal sealed class ExpiryHealthCheck(TransmissionHealthProbe probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var due = await probe.GetExpiringAsync(cancellationToken).ConfigureAwait(false);
        if (due.Count == 0)
        {
            return HealthCheckResult.Healthy("No secret has expired or expires within a reminder threshold.");
        }

        var expired = due.Where(static d => d.IsExpired).OrderBy(static d => d.ExpiresAt).ToList();
        var expiring = due.Where(static d => !d.IsExpired).OrderBy(static d => d.ExpiresAt).ToList();
        var data = Listing.Data(
            ("expired", Listing.Named(expired, static d => $"{d.CompanyId}: {d.SecretName} expired {Listing.Instant(d.ExpiresAt)}")),
            ("expiring", Listing.Named(expiring, static d => $"{d.CompanyId}: {d.SecretName} expires {Listing.Instant(d.ExpiresAt)} (within {d.Threshold})")));
        return expired.Count > 0
            ? new HealthCheckResult(context.Registration.FailureStatus, $"{expired.Count} secrets have expired; {expiring.Count} expire soon.", data: data)
            : HealthCheckResult.Degraded($"{expiring.Count} secrets expire within a reminder threshold.", data: data);
    }
}
