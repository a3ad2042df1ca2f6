namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A host's MFA verifier as tests need it: accepts <see cref="The.MfaCode"/>, says the factor was completed at
/// <see cref="VerifiedAt"/>, counts its calls and keeps the contexts it was asked about.
/// </summary>
public sealed class TestMfaVerifier(TimeProvider timeProvider) : IMfaVerifier
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<MfaVerificationContext> _contexts = new();
    private int _calls;

    /// <summary>Gets or sets when the factor was completed; defaults to "now" of the time provider.</summary>
    public Func<DateTimeOffset> VerifiedAt { get; set; } = timeProvider.GetUtcNow;

    /// <summary>Gets or sets an exception to throw instead of answering.</summary>
    public Exception? Failure { get; set; }

    public int Calls => _calls;

    /// <summary>Gets every context the verifier was asked about, in order.</summary>
    public IReadOnlyList<MfaVerificationContext> Contexts => [.. _contexts];

    public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _calls);
        _contexts.Enqueue(context);
        if (Failure is { } failure)
        {
            throw failure;
        }

        return Task.FromResult(context.Proof.Evidence.Reveal() == The.MfaCode
            ? MfaVerificationResult.Verified(VerifiedAt())
            : MfaVerificationResult.Rejected());
    }
}
