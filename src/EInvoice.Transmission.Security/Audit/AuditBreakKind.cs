namespace EInvoice.Transmission.Security;

/// <summary>What kind of break <see cref="CredentialStore.VerifyAuditTrailAsync(AuditCheckpoint?, CancellationToken)"/> found first, so that a caller can act on it without reading <see cref="AuditVerificationResult.Problem"/>.</summary>
public enum AuditBreakKind
{
    /// <summary>The trail is intact.</summary>
    None = 0,

    /// <summary>
    /// An entry's content, hash, link to the entry before it or authentication code does not match, or it is not the
    /// entry the checkpoint recorded: it was edited, reordered, forged or the trail rewritten.
    /// </summary>
    Changed = 1,

    /// <summary>An entry inside the trail is missing: its sequence number is skipped (it was removed).</summary>
    Missing = 2,

    /// <summary>Entries at the end were removed: the trail ends before the checkpoint or the recorded head (<see cref="AuditVerificationResult.IsTruncated"/>).</summary>
    Truncated = 3,

    /// <summary>
    /// An entry cannot be checked and nothing vouches for it: its audit key is no longer in the key ring, or it was
    /// written before entries were keyed (0.1). Not proof of tampering; see <see cref="AuditVerificationResult.Problem"/>.
    /// </summary>
    Unverifiable = 4,
}
