using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// One link of the audit trail: an <see cref="AuditEvent"/> with its sequence number, the previous entry's hash and
/// its own hash. Holds names, never secret values.
/// </summary>
/// <remarks>
/// <see cref="Hash"/> = SHA-256(<see cref="PreviousHash"/> bytes ‖ canonical encoding of every other field), so changing,
/// removing or reordering any entry breaks the chain from that entry on; <see cref="Mac"/> = HMAC-SHA256 of the hash under
/// the audit key of <see cref="KeyId"/>, derived from the key-encryption key of that id and never stored, so someone
/// without the key (a database writer) cannot build a chain that verifies. Entries written before version 0.2 have no
/// key id and no MAC: see docs/security.md for what is and is not detected.
/// </remarks>
public sealed record AuditEntry
{
    /// <summary>Gets the position in the trail, starting at 1 and without gaps.</summary>
    public required long Sequence { get; init; }

    /// <summary>Gets when it happened, with millisecond precision.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the company concerned, or <see langword="null"/> for an action on the whole store.</summary>
    public string? CompanyId { get; init; }

    /// <summary>Gets the action.</summary>
    public required AuditAction Action { get; init; }

    /// <summary>Gets who acted.</summary>
    public required string Actor { get; init; }

    /// <summary>Gets whether the action was carried out or refused.</summary>
    public required AuditOutcome Outcome { get; init; }

    /// <summary>Gets the names of the fields changed.</summary>
    public required IReadOnlyList<string> Fields { get; init; }

    /// <summary>Gets the multi-factor method presented, if any.</summary>
    public string? MfaMethod { get; init; }

    /// <summary>Gets a short detail without secrets.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets the previous entry's hash (64 zeros for the first entry), lowercase hexadecimal.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>Gets this entry's hash, lowercase hexadecimal SHA-256.</summary>
    public required string Hash { get; init; }

    /// <summary>
    /// Gets the id of the key-encryption key whose derived audit key made <see cref="Mac"/>, or <see langword="null"/>
    /// for an entry written before audit entries were keyed.
    /// </summary>
    public string? KeyId { get; init; }

    /// <summary>Gets the lowercase hexadecimal HMAC-SHA256 of <see cref="Hash"/> under the audit key of <see cref="KeyId"/>, or <see langword="null"/> for an entry written before audit entries were keyed.</summary>
    public string? Mac { get; init; }

    /// <summary>Chains an event after the current head. Repositories call this inside the transaction that appends.</summary>
    /// <param name="head">The current head, or <see langword="null"/> for the first entry.</param>
    /// <param name="auditEvent">The event to append.</param>
    /// <returns>The entry to store; its <see cref="Sequence"/> and <see cref="Hash"/> form the new head.</returns>
    /// <exception cref="ArgumentException">The event holds a value the trail does not accept (an empty actor, a malformed field name).</exception>
    /// <exception cref="InvalidOperationException">The event was not handed over by <see cref="CredentialStore"/>, which alone holds the audit key.</exception>
    public static AuditEntry Chain(AuditHead? head, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        AuditChain.Validate(auditEvent);
        var key = auditEvent.Key ?? throw new InvalidOperationException(
            "Only audit events handed to the repository by CredentialStore can be chained: entries are authenticated with a key the store derives from the key ring.");

        var entry = new AuditEntry
        {
            Sequence = (head?.Sequence ?? 0) + 1,
            Timestamp = AuditChain.TruncateToMilliseconds(auditEvent.Timestamp),
            CompanyId = auditEvent.CompanyId,
            Action = auditEvent.Action,
            Actor = auditEvent.Actor,
            Outcome = auditEvent.Outcome,
            Fields = [.. auditEvent.Fields],
            MfaMethod = auditEvent.MfaMethod,
            Detail = auditEvent.Detail,
            PreviousHash = head?.Hash ?? AuditChain.GenesisHash,
            Hash = string.Empty,
            KeyId = key.KeyId,
        };

        var hash = AuditChain.ComputeHash(entry);
        var vouches = auditEvent.VerifiedHead is { } verified && string.Equals(entry.PreviousHash, verified, StringComparison.Ordinal);
        return entry with { Hash = hash, Mac = AuditChain.ComputeMac(hash, key, vouches) };
    }
}
