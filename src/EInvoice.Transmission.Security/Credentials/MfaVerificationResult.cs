namespace EInvoice.Transmission.Security;

/// <summary>The answer of an <see cref="IMfaVerifier"/>.</summary>
public sealed class MfaVerificationResult
{
    private MfaVerificationResult(bool isVerified, DateTimeOffset? verifiedAt)
    {
        IsVerified = isVerified;
        VerifiedAt = verifiedAt;
    }

    /// <summary>Gets a value indicating whether the proof is genuine.</summary>
    public bool IsVerified { get; }

    /// <summary>Gets when the user completed the factor, as the verifier knows it; <see langword="null"/> when rejected.</summary>
    public DateTimeOffset? VerifiedAt { get; }

    /// <summary>Creates the answer for a genuine proof.</summary>
    /// <param name="verifiedAt">When the user completed the factor: the store compares it with the allowed age.</param>
    /// <returns>A verified result.</returns>
    public static MfaVerificationResult Verified(DateTimeOffset verifiedAt) => new(true, verifiedAt);

    /// <summary>Creates the answer for a proof that is not genuine.</summary>
    /// <returns>A rejected result.</returns>
    public static MfaVerificationResult Rejected() => new(false, null);
}
