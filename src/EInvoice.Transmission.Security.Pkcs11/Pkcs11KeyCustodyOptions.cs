using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Pkcs11;

/// <summary>
/// Where the PKCS#11 key-encryption key lives, bound from the configuration section <c>EInvoiceTransmission:Pkcs11</c>.
/// </summary>
/// <remarks>
/// <para>Example (SoftHSM2; a hardware or cloud HSM names its own module):</para>
/// <code>
/// EInvoiceTransmission__Pkcs11__LibraryPath=/usr/lib/softhsm/libsofthsm2.so
/// EInvoiceTransmission__Pkcs11__TokenLabel=einvoice
/// EInvoiceTransmission__Pkcs11__UserPin=&lt;the token's user PIN&gt;
/// EInvoiceTransmission__Pkcs11__KeyLabel=einvoice-kek-2026
/// EInvoiceTransmission__Pkcs11__KeyId=hsm_2026
/// EInvoiceTransmission__Vault__WrapKeyId=hsm_2026
/// </code>
/// </remarks>
public sealed class Pkcs11KeyCustodyOptions
{
    /// <summary>Gets or sets the path of the token's PKCS#11 module (a <c>.so</c> or <c>.dll</c>).</summary>
    /// <value>No default: it must be set.</value>
    public string? LibraryPath { get; set; }

    /// <summary>Gets or sets the label of the token that holds the key.</summary>
    /// <value>No default: it must be set.</value>
    public string? TokenLabel { get; set; }

    /// <summary>Gets or sets the token's user PIN. Keep it in a secret store, never in appsettings.json.</summary>
    /// <value>No default: it must be set.</value>
    /// <remarks>Left out of JSON serialisation, so that dumping the options for diagnostics never writes it.</remarks>
    [JsonIgnore]
    public string? UserPin { get; set; }

    /// <summary>Gets or sets the <c>CKA_LABEL</c> of the AES-256 key object; set this or <see cref="KeyObjectId"/>.</summary>
    public string? KeyLabel { get; set; }

    /// <summary>Gets or sets the <c>CKA_ID</c> of the AES-256 key object, in hexadecimal; set this or <see cref="KeyLabel"/>.</summary>
    public string? KeyObjectId { get; set; }

    /// <summary>
    /// Gets or sets the key id this key has in envelopes and in <c>EInvoiceTransmission:Vault:WrapKeyId</c>: 1 to 64
    /// characters of <c>A-Z a-z 0-9 . _ -</c>. It names the key to the library; it is not the token's label.
    /// </summary>
    /// <value>No default: it must be set.</value>
    public string? KeyId { get; set; }

    /// <summary>Gets or sets how the token wraps data keys.</summary>
    /// <value><see cref="Pkcs11WrapMechanism.Auto"/>.</value>
    public Pkcs11WrapMechanism Mechanism { get; set; } = Pkcs11WrapMechanism.Auto;

    /// <summary>Gets or sets how many idle sessions are kept open for reuse.</summary>
    /// <value>8; 1 to 256.</value>
    public int MaxPooledSessions { get; set; } = 8;

    /// <summary>
    /// Gets or sets whether a key imported into the token (<c>CKA_LOCAL=false</c>) is accepted although it was not
    /// always sensitive and non-extractable (<c>CKA_ALWAYS_SENSITIVE</c>, <c>CKA_NEVER_EXTRACTABLE</c>): its value
    /// existed outside the token once. It must still be sensitive and non-extractable now.
    /// </summary>
    /// <value><see langword="false"/>: only a key generated on the token is accepted.</value>
    public bool AllowImportedKey { get; set; }
}
