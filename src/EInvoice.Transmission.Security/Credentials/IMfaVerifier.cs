namespace EInvoice.Transmission.Security;

/// <summary>
/// Confirms multi-factor proofs. The host implements it with its own identity system; the library requires one
/// before any credential can be changed or deleted.
/// </summary>
/// <remarks>
/// The store calls the verifier only after the change itself was validated, so a proof is never used up by a change
/// that would be refused anyway. A verifier that throws refuses the change: the refusal is audited, and the exception
/// reaches the caller.
/// </remarks>
public interface IMfaVerifier
{
    /// <summary>Checks that the proof in <paramref name="context"/> is genuine for its actor and approves this change.</summary>
    /// <param name="context">The acting user, the proof, and the change it should approve (company, action, field names).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>
    /// <see cref="MfaVerificationResult.Verified"/> with the time the factor was completed, or
    /// <see cref="MfaVerificationResult.Rejected"/>. The store then refuses proofs older than
    /// <see cref="CredentialStoreOptions.MfaMaxAge"/>, and proofs dated in the future.
    /// </returns>
    Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken);
}
