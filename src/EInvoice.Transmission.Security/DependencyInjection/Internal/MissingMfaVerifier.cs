namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Stands in until the host registers its own <see cref="IMfaVerifier"/>. Hosts that only transmit never need one;
/// a credential change without one is a configuration error, reported as such rather than as a refused proof.
/// </summary>
internal sealed class MissingMfaVerifier : IMfaVerifier
{
    public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
        => throw new InvalidOperationException(
            "Credentials cannot be changed: no IMfaVerifier is registered. Register the host's multi-factor verifier, " +
            "for example services.AddSingleton<IMfaVerifier, MyMfaVerifier>().");
}
