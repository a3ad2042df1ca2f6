using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>What an audit entry records.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AuditAction>))]
public enum AuditAction
{
    /// <summary>A company's first credentials were stored (or an attempt to, when refused).</summary>
    CredentialsCreated = 1,

    /// <summary>A company's credentials were changed (or an attempt to, when refused).</summary>
    CredentialsUpdated = 2,

    /// <summary>A company's credentials were deleted (or an attempt to, when refused).</summary>
    CredentialsDeleted = 3,

    /// <summary>Stored envelopes were moved to the active key-encryption key.</summary>
    KeysRotated = 4,

    /// <summary>
    /// A company's stored destination (mode, environment, endpoints, client id, scope, ASP identity) had failed its
    /// integrity check, and an administrator replaced all of it (or tried to, when refused).
    /// </summary>
    DestinationReset = 5,

    /// <summary>New credentials were staged for a company while the current ones keep serving (or an attempt to, when refused).</summary>
    CredentialsStaged = 6,

    /// <summary>
    /// Staged credentials replaced the current ones, after a passing connection test or an explicit override named in
    /// the entry's detail (or an attempt to, when refused: a failed test, a missing proof).
    /// </summary>
    StagedCredentialsPromoted = 7,
}
