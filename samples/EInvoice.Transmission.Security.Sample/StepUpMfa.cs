using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>
/// Stands in for the host's identity system. A real host verifies a TOTP code or a WebAuthn assertion here; this one
/// hands out one-time step-up codes and confirms each once, with the time it was issued.
/// </summary>
public sealed class StepUpMfa(TimeProvider timeProvider) : IMfaVerifier
{
    private readonly ConcurrentDictionary<string, (string Actor, DateTimeOffset IssuedAt)> _codes = new(StringComparer.Ordinal);

    /// <summary>What the admin's second factor would produce after a successful step-up.</summary>
    public MfaProof StepUp(string actor)
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _codes[code] = (actor, timeProvider.GetUtcNow());
        return new MfaProof("step-up", new SecretValue(code));
    }

    public Task<MfaVerificationResult> VerifyAsync(string actor, MfaProof proof, CancellationToken cancellationToken)
        => Task.FromResult(_codes.TryRemove(proof.Evidence.Reveal(), out var issued) && issued.Actor == actor
            ? MfaVerificationResult.Verified(issued.IssuedAt)
            : MfaVerificationResult.Rejected());
}
