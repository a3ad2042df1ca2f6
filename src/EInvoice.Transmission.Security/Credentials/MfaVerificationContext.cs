namespace EInvoice.Transmission.Security;

/// <summary>
/// What a multi-factor proof is asked to approve: who acts, on which company, which action and which fields, so that a
/// host can bind a step-up authentication to exactly one change.
/// </summary>
public sealed class MfaVerificationContext
{
    internal MfaVerificationContext(string actor, MfaProof proof, string companyId, AuditAction action, IReadOnlyList<string> fields)
    {
        Actor = actor;
        Proof = proof;
        CompanyId = companyId;
        Action = action;
        Fields = fields;
    }

    /// <summary>Gets the acting user.</summary>
    public string Actor { get; }

    /// <summary>Gets the proof the caller presented.</summary>
    public MfaProof Proof { get; }

    /// <summary>Gets the company whose credentials would change.</summary>
    public string CompanyId { get; }

    /// <summary>Gets the change: <see cref="AuditAction.CredentialsCreated"/>, <see cref="AuditAction.CredentialsUpdated"/>, <see cref="AuditAction.DestinationReset"/> or <see cref="AuditAction.CredentialsDeleted"/>.</summary>
    public AuditAction Action { get; }

    /// <summary>Gets the names of the fields the change sets (such as <c>dctce.client_secret</c>), never their values; empty for a deletion.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Describes the context without the proof's evidence.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"MfaVerificationContext {{ Actor = {Actor}, CompanyId = {CompanyId}, Action = {Action}, Fields = [{string.Join(", ", Fields)}] }}";
}
