using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>
/// Stands in for the host's identity system. A real host verifies a TOTP code or a WebAuthn assertion here; this one
/// hands out one-time step-up codes, each bound to one user and one company, and confirms each once, with the time it
/// was issued.
/// </summary>
public sealed class StepUpMfa(TimeProvider timeProvider) : IMfaVerifier
{
    private readonly ConcurrentDictionary<string, (string Actor, string CompanyId, DateTimeOffset IssuedAt)> _codes = new(StringComparer.Ordinal);

    /// <summary>What the admin's second factor would produce after a successful step-up for a change to one company.</summary>
    public MfaProof StepUp(string actor, string companyId)
    {
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _codes[code] = (actor, companyId, timeProvider.GetUtcNow());
        return new MfaProof("step-up", new SecretValue(code));
    }

    public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
        => Task.FromResult(_codes.TryRemove(context.Proof.Evidence.Reveal(), out var issued)
            && issued.Actor == context.Actor && issued.CompanyId == context.CompanyId
            ? MfaVerificationResult.Verified(issued.IssuedAt)
            : MfaVerificationResult.Rejected());
}
