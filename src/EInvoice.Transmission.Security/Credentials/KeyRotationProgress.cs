namespace EInvoice.Transmission.Security;

/// <summary>Progress of a key rotation, reported after each batch.</summary>
/// <param name="Scanned">Credentials read so far in this run.</param>
/// <param name="Rewrapped">Credentials moved to the active key so far in this run.</param>
public sealed record KeyRotationProgress(long Scanned, long Rewrapped);
