namespace EInvoice.Transmission.Security.Internal;

/// <summary>An entry of the audit trail, by sequence number and hash: where changes were read up to.</summary>
/// <param name="Sequence">The entry's sequence number; 0 before the first entry.</param>
/// <param name="Hash">The entry's hash; <see langword="null"/> before the first entry.</param>
internal readonly record struct AuditPosition(long Sequence, string? Hash);
