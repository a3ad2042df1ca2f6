namespace EInvoice.Transmission.Security;

/// <summary>
/// Evidence that the acting user completed a multi-factor authentication, checked by the host's <see cref="IMfaVerifier"/>.
/// </summary>
/// <remarks>
/// What the evidence is depends on the host: a one-time code, a WebAuthn assertion, the id of a step-up session.
/// The library never interprets it; it only hands it to the verifier. Its <see cref="ToString"/> shows the method only.
/// </remarks>
public sealed class MfaProof
{
    private const int MaxMethodLength = 64;

    /// <summary>Creates a proof.</summary>
    /// <param name="method">The factor used, such as <c>totp</c> or <c>webauthn</c>; recorded in the audit trail.</param>
    /// <param name="evidence">The host-specific evidence the verifier checks.</param>
    /// <exception cref="ArgumentException"><paramref name="method"/> is empty, too long or not printable ASCII.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="evidence"/> is <see langword="null"/>.</exception>
    public MfaProof(string method, SecretValue evidence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(evidence);
        if (method.Length > MaxMethodLength || !method.All(c => c is > ' ' and <= '~'))
        {
            throw new ArgumentException($"The MFA method must be at most {MaxMethodLength} printable ASCII characters without spaces.", nameof(method));
        }

        Method = method;
        Evidence = evidence;
    }

    /// <summary>Gets the factor used, such as <c>totp</c>.</summary>
    public string Method { get; }

    /// <summary>Gets the evidence for the verifier.</summary>
    public SecretValue Evidence { get; }

    /// <summary>Returns the method; never the evidence.</summary>
    /// <returns>A description without the evidence.</returns>
    public override string ToString() => $"MfaProof {{ Method = {Method} }}";
}
