using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>Whether an audited action happened.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AuditOutcome>))]
public enum AuditOutcome
{
    /// <summary>The action was carried out.</summary>
    Succeeded = 1,

    /// <summary>The action was refused (for example for lack of a valid multi-factor proof); nothing changed.</summary>
    Refused = 2,
}
