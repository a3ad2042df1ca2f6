namespace EInvoice.Transmission.Security.HealthChecks;

/// <summary>The names and tag of the health checks <c>AddEInvoiceTransmissionChecks()</c> registers.</summary>
public static class EInvoiceTransmissionHealthChecks
{
    /// <summary>The tag every check carries: <c>eits</c>.</summary>
    public const string Tag = "eits";

    /// <summary>The key ring seals and opens a probe: <c>eits-keyring</c>. Unhealthy when it cannot.</summary>
    public const string KeyRing = "eits-keyring";

    /// <summary>Storage answers at the expected schema version: <c>eits-storage</c>. Unhealthy when unreachable or behind, Degraded when ahead (a newer release migrated it).</summary>
    public const string Storage = "eits-storage";

    /// <summary>Companies whose token requests fail, permanently (wrong credentials) or while backing off: <c>eits-tokens</c>. Degraded, never Unhealthy: one company's problem is not the service's.</summary>
    public const string Tokens = "eits-tokens";

    /// <summary>Secrets expired or expiring within a reminder threshold: <c>eits-expiry</c>. Degraded, never Unhealthy: one company's problem is not the service's.</summary>
    public const string Expiry = "eits-expiry";
}
