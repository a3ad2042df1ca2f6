namespace EInvoice.Transmission.Security.Pkcs11;

/// <summary>How a PKCS#11 token wraps data keys.</summary>
public enum Pkcs11WrapMechanism
{
    /// <summary><see cref="AesGcm"/> when the token lists <c>CKM_AES_GCM</c>, otherwise <see cref="AesKeyWrapPad"/>.</summary>
    Auto = 0,

    /// <summary>
    /// <c>CKM_AES_GCM</c> through <c>C_Encrypt</c>/<c>C_Decrypt</c>, with a random 96-bit IV, a 128-bit tag and the key id,
    /// company and field as associated data: envelope suite 0x02.
    /// </summary>
    AesGcm = 1,

    /// <summary>
    /// <c>CKM_AES_KEY_WRAP_PAD</c> (RFC 5649) through <c>C_WrapKey</c>/<c>C_UnwrapKey</c>: envelope suite 0x03. It binds no
    /// associated data; the company and field are bound by the envelope's data layer.
    /// </summary>
    AesKeyWrapPad = 2,
}
