namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>A row of <c>eits_audit</c> as Dapper reads and writes it.</summary>
internal sealed class AuditRow
{
    public const string Columns =
        "sequence AS Sequence, occurred_at AS OccurredAt, company_id AS CompanyId, action AS Action, actor AS Actor, " +
        "outcome AS Outcome, fields AS Fields, mfa_method AS MfaMethod, detail AS Detail, previous_hash AS PreviousHash, hash AS Hash, key_id AS KeyId, mac AS Mac";

    // Field names are validated to a-z 0-9 . _ -, so a comma never appears inside one.
    private const char FieldSeparator = ',';

    public long Sequence { get; set; }

    public long OccurredAt { get; set; }

    public string? CompanyId { get; set; }

    public string Action { get; set; } = string.Empty;

    public string Actor { get; set; } = string.Empty;

    public string Outcome { get; set; } = string.Empty;

    public string Fields { get; set; } = string.Empty;

    public string? MfaMethod { get; set; }

    public string? Detail { get; set; }

    public string PreviousHash { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;

    public string? KeyId { get; set; }

    public string? Mac { get; set; }

    public static AuditRow From(AuditEntry entry) => new()
    {
        Sequence = entry.Sequence,
        OccurredAt = entry.Timestamp.ToUnixTimeMilliseconds(),
        CompanyId = entry.CompanyId,
        Action = entry.Action.ToString(),
        Actor = entry.Actor,
        Outcome = entry.Outcome.ToString(),
        Fields = string.Join(FieldSeparator, entry.Fields),
        MfaMethod = entry.MfaMethod,
        Detail = entry.Detail,
        PreviousHash = entry.PreviousHash,
        Hash = entry.Hash,
        KeyId = entry.KeyId,
        Mac = entry.Mac,
    };

    /// <summary>
    /// Converts back without judging: a tampered row with an unknown action still becomes an entry, whose hash then
    /// fails verification, instead of an exception that would hide which entry is bad.
    /// </summary>
    public AuditEntry ToAuditEntry() => new()
    {
        Sequence = Sequence,
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(OccurredAt),
        CompanyId = CompanyId,
        Action = Enum.TryParse<AuditAction>(Action, out var action) ? action : 0,
        Actor = Actor,
        Outcome = Enum.TryParse<AuditOutcome>(Outcome, out var outcome) ? outcome : 0,
        Fields = Fields.Length == 0 ? [] : Fields.Split(FieldSeparator),
        MfaMethod = MfaMethod,
        Detail = Detail,
        PreviousHash = PreviousHash,
        Hash = Hash,
        KeyId = KeyId,
        Mac = Mac,
    };
}
