namespace EInvoice.Transmission.Security;

/// <summary>
/// Bounds of the data-key cache, set by <c>AddDataKeyCache</c>, which turns the cache on (validation messages name them
/// under <c>EInvoiceTransmission:Vault:DataKeyCache</c>). The cache keeps data keys unwrapped by a key custodian (an HSM, a KMS) so
/// that opening the same envelope again does not cost a round trip; the local key ring is never cached.
/// </summary>
/// <remarks>
/// The trade-off: an unwrapped data key stays in this process's memory (pinned, zeroed on eviction) for up to
/// <see cref="MaxAge"/> and <see cref="MaxUses"/> opens. Someone who can read the process's memory reads those data keys
/// (and the secrets they open) without asking the custodian, and the custodian's own log (CloudTrail, the HSM audit)
/// records one unwrap for up to <see cref="MaxUses"/> opens. Keep the bounds as small as the custodian's latency allows.
/// </remarks>
public sealed class DataKeyCacheOptions
{
    /// <summary>Gets or sets the largest number of data keys held at once; the oldest is evicted first.</summary>
    /// <value>1,000; 1 to 1,000,000.</value>
    public int MaxEntries { get; set; } = 1_000;

    /// <summary>Gets or sets how long an unwrapped data key is kept after the custodian unwrapped it.</summary>
    /// <value>5 minutes; more than zero, at most 1 day.</value>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how many opens one unwrap may serve before the custodian is asked again.</summary>
    /// <value>1,000; 1 to 1,000,000,000.</value>
    public long MaxUses { get; set; } = 1_000;
}
