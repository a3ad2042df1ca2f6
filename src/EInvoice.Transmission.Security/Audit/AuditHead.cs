namespace EInvoice.Transmission.Security;

/// <summary>The end of the audit chain: the last entry's sequence number and hash.</summary>
/// <param name="Sequence">The sequence number of the last entry.</param>
/// <param name="Hash">The hash of the last entry, lowercase hexadecimal SHA-256.</param>
public sealed record AuditHead(long Sequence, string Hash);
