using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>Why a credential change was refused.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CredentialChangeRefusalReason>))]
public enum CredentialChangeRefusalReason
{
    /// <summary>No multi-factor proof was presented.</summary>
    MfaMissing = 1,

    /// <summary>The verifier did not accept the proof.</summary>
    MfaRejected = 2,

    /// <summary>The proof is genuine but older than <see cref="CredentialStoreOptions.MfaMaxAge"/>.</summary>
    MfaExpired = 3,

    /// <summary>The verifier dated the proof in the future (more than a minute ahead of this host's clock).</summary>
    MfaInFuture = 4,

    /// <summary>The verifier threw instead of answering; its exception reached the caller.</summary>
    MfaVerifierFailed = 5,
}
