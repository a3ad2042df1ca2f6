namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A host's MFA verifier as tests need it: accepts <see cref="The.MfaCode"/>, says the factor was completed at
/// <see cref="VerifiedAt"/>, and counts its calls.
/// </summary>
public sealed class TestMfaVerifier(TimeProvider timeProvider) : IMfaVerifier
{
    private int _calls;

    /// <summary>Gets or sets when the factor was completed; defaults to "now" of the time provider.</summary>
    public Func<DateTimeOffset> VerifiedAt { get; set; } = timeProvider.GetUtcNow;

    public int Calls => _calls;

    public Task<MfaVerificationResult> VerifyAsync(string actor, MfaProof proof, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        return Task.FromResult(proof.Evidence.Reveal() == The.MfaCode
            ? MfaVerificationResult.Verified(VerifiedAt())
            : MfaVerificationResult.Rejected());
    }
}
