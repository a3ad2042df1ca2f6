namespace EInvoice.Transmission.Security;

/// <summary>Who is changing credentials, and the multi-factor proof that they just authenticated.</summary>
public sealed class CredentialChangeContext
{
    private const int MaxActorLength = 256;

    /// <summary>Creates a change context.</summary>
    /// <param name="actor">The acting user, as the host identifies them (user id or name); recorded in the audit trail.</param>
    /// <param name="mfaProof">The proof of a recent multi-factor authentication, or <see langword="null"/> when there is none (the change is then refused and audited).</param>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is empty, longer than 256 characters or contains control characters.</exception>
    public CredentialChangeContext(string actor, MfaProof? mfaProof)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (actor.Length > MaxActorLength || actor.Any(char.IsControl))
        {
            throw new ArgumentException($"The actor must be at most {MaxActorLength} characters without control characters.", nameof(actor));
        }

        Actor = actor;
        MfaProof = mfaProof;
    }

    /// <summary>Gets the acting user.</summary>
    public string Actor { get; }

    /// <summary>Gets the multi-factor proof, if any.</summary>
    public MfaProof? MfaProof { get; }
}
