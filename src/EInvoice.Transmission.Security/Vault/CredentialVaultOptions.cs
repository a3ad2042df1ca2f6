using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>
/// The key-encryption keys of the built-in key provider, bound from the configuration section
/// <c>EInvoiceTransmission:Vault</c>.
/// </summary>
/// <remarks>
/// <para>Example (environment variables; keep keys out of appsettings.json):</para>
/// <code>
/// EInvoiceTransmission__Vault__ActiveKeyId=kek_2026_11
/// EInvoiceTransmission__Vault__Keys__kek_2026_11=&lt;base64 of 32 random bytes&gt;
/// EInvoiceTransmission__Vault__Keys__kek_2025_01=&lt;older key, still opens old envelopes&gt;
/// </code>
/// <para>
/// A key id becomes part of an environment variable name, so use letters, digits and <c>_</c> only: a shell refuses
/// <c>-</c> and <c>.</c> in variable names.
/// </para>
/// <para>
/// Create a key with <c>openssl rand -base64 32</c> or <c>Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))</c>.
/// A passphrase is not a key and is refused.
/// </para>
/// </remarks>
public sealed class CredentialVaultOptions
{
    /// <summary>Gets or sets the id of the key that seals new envelopes. It must be one of <see cref="Keys"/>.</summary>
    /// <value>No default: it must be set.</value>
    public string? ActiveKeyId { get; set; }

    /// <summary>
    /// Gets the key-encryption keys by id, each the base64 form of exactly 32 random bytes. Ids use 1 to 64
    /// characters of <c>A-Z a-z 0-9 . _ -</c>. Keys other than the active one only open existing envelopes. A key whose
    /// value is empty is not in the ring: that retires a key that another configuration source still sets.
    /// </summary>
    /// <value>Empty by default: at least one key must be configured.</value>
    /// <remarks>Left out of JSON serialisation, so that dumping the options for diagnostics never writes a key.</remarks>
    [JsonIgnore]
    public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the id of the key that wraps new data keys when that is not <see cref="ActiveKeyId"/>: a key held by
    /// a registered key custodian (an <see cref="IKeyWrapper"/> such as a PKCS#11 HSM or a cloud KMS), whose key the
    /// process never reads. <see cref="ActiveKeyId"/> then still names the local key the audit key is derived from.
    /// </summary>
    /// <value>Not set by default: the local ring's active key wraps.</value>
    public string? WrapKeyId { get; set; }

    /// <summary>
    /// Gets or sets whether the keys of the local ring (<see cref="Keys"/>) open and seal envelopes. Set it to
    /// <see langword="false"/> once every envelope is under a custodian's key (<see cref="WrapKeyId"/> set and
    /// <c>RewrapAllAsync</c> run to the end): the local keys then only derive the audit key, so someone who reads the
    /// configuration and writes the database cannot forge an envelope — a destination seal naming a server of theirs —
    /// that the library would accept. An envelope still under a local key then no longer opens.
    /// </summary>
    /// <value><see langword="true"/> by default. <see langword="false"/> requires <see cref="WrapKeyId"/> to name a custodian's key.</value>
    public bool LocalKeysOpenEnvelopes { get; set; } = true;
}
