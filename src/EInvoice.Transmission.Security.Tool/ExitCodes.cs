namespace EInvoice.Transmission.Security.Tool;

/// <summary>
/// The exit codes of <c>eits</c>, one meaning each, so that a script can act on them (README, "Operating it").
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>audit verify</c>, the trail is intact.</summary>
    public const int Success = 0;

    /// <summary>Something unexpected failed (the database is unreachable, say); the message says what.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is wrong (unknown option, no key ring, no storage chosen).</summary>
    public const int Usage = 2;

    /// <summary>The company has no credentials.</summary>
    public const int NotFound = 3;

    /// <summary>
    /// The check ran and found a problem: <c>rewrap</c> could not move some companies, <c>key check</c> could not seal
    /// and open its probe or found values sealed under a key that is not in the ring, <c>test</c> failed.
    /// </summary>
    public const int CheckFailed = 4;

    /// <summary><c>audit verify</c>: an entry was changed, reordered or forged.</summary>
    public const int AuditChanged = 10;

    /// <summary><c>audit verify</c>: an entry inside the trail was removed.</summary>
    public const int AuditMissing = 11;

    /// <summary><c>audit verify</c>: entries at the end were removed (against the recorded head or <c>--expect-count</c>).</summary>
    public const int AuditTruncated = 12;

    /// <summary><c>audit verify</c>: an entry cannot be checked (its key left the ring and nothing vouches for it).</summary>
    public const int AuditUnverifiable = 13;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it); <c>rewrap</c> says how to resume.</summary>
    public const int Cancelled = 130;
}
