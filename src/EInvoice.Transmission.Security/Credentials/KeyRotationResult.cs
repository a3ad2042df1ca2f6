namespace EInvoice.Transmission.Security;

/// <summary>The outcome of a completed key rotation run.</summary>
/// <param name="ActiveKeyId">The key every envelope was moved to.</param>
/// <param name="Scanned">Credentials read.</param>
/// <param name="Rewrapped">Credentials that had at least one envelope under another key and were moved.</param>
/// <param name="FailedCompanyIds">Companies whose envelopes could not be opened (for example because their key left the ring); they were left as they were.</param>
public sealed record KeyRotationResult(string ActiveKeyId, long Scanned, long Rewrapped, IReadOnlyList<string> FailedCompanyIds);
