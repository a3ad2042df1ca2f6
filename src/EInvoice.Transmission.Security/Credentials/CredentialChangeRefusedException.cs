namespace EInvoice.Transmission.Security;

/// <summary>
/// Thrown when a change or deletion of credentials is refused for lack of a valid, recent multi-factor proof.
/// Nothing was stored; the refusal was logged as a security event and written to the audit trail.
/// </summary>
public sealed class CredentialChangeRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CredentialChangeRefusedException()
        : base("The credential change was refused: a recent multi-factor authentication is required.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message without secrets.</param>
    public CredentialChangeRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">A message without secrets.</param>
    /// <param name="innerException">The cause.</param>
    public CredentialChangeRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal CredentialChangeRefusedException(string companyId, string actor, CredentialChangeRefusalReason reason)
        : base($"The credential change for company '{companyId}' by '{actor}' was refused: {Describe(reason)}")
    {
        CompanyId = companyId;
        Actor = actor;
        Reason = reason;
    }

    /// <summary>Gets the company whose credentials were to change.</summary>
    public string? CompanyId { get; }

    /// <summary>Gets the acting user.</summary>
    public string? Actor { get; }

    /// <summary>Gets why the change was refused.</summary>
    public CredentialChangeRefusalReason Reason { get; }

    private static string Describe(CredentialChangeRefusalReason reason) => reason switch
    {
        CredentialChangeRefusalReason.MfaMissing => "no multi-factor proof was presented.",
        CredentialChangeRefusalReason.MfaRejected => "the multi-factor proof was not accepted.",
        _ => "the multi-factor proof is too old; authenticate again.",
    };
}
