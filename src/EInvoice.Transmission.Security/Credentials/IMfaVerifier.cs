namespace EInvoice.Transmission.Security;

/// <summary>
/// Confirms multi-factor proofs. The host implements it with its own identity system; the library requires one
/// before any credential can be changed or deleted.
/// </summary>
public interface IMfaVerifier
{
    /// <summary>Checks that <paramref name="proof"/> is genuine for <paramref name="actor"/>.</summary>
    /// <param name="actor">The acting user.</param>
    /// <param name="proof">The proof the caller presented.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>
    /// <see cref="MfaVerificationResult.Verified"/> with the time the factor was completed, or
    /// <see cref="MfaVerificationResult.Rejected"/>. The store then refuses proofs older than
    /// <see cref="CredentialStoreOptions.MfaMaxAge"/>.
    /// </returns>
    Task<MfaVerificationResult> VerifyAsync(string actor, MfaProof proof, CancellationToken cancellationToken);
}
