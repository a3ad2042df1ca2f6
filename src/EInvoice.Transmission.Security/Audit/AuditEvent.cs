using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// What happened, before it is chained into the audit trail as an <see cref="AuditEntry"/>. Holds names, never values.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>Gets when it happened, with millisecond precision.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the company concerned, or <see langword="null"/> for an action on the whole store such as a key rotation.</summary>
    public string? CompanyId { get; init; }

    /// <summary>Gets the action.</summary>
    public required AuditAction Action { get; init; }

    /// <summary>Gets who acted.</summary>
    public required string Actor { get; init; }

    /// <summary>Gets whether the action was carried out or refused.</summary>
    public required AuditOutcome Outcome { get; init; }

    /// <summary>Gets the names of the fields changed (such as <c>asp.endpoint</c>); never their values.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    /// <summary>Gets the multi-factor method presented, if any.</summary>
    public string? MfaMethod { get; init; }

    /// <summary>Gets a short detail without secrets, such as the reason for a refusal.</summary>
    public string? Detail { get; init; }

    /// <summary>The key <see cref="AuditEntry.Chain"/> authenticates the entry with; set by <see cref="CredentialStore"/> only.</summary>
    internal AuditKey? Key { get; init; }

    /// <summary>
    /// The head hash of a trail the store has just verified in full: when the entry is chained right after that head,
    /// it vouches for every entry before it (<see cref="AuditChain.ComputeMac"/>).
    /// </summary>
    internal string? VerifiedHead { get; init; }
}
