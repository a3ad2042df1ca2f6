using System.Text;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// What a wrapped data key is bound to: the key id that wraps it, and the company and field of the value it protects.
/// </summary>
/// <remarks>
/// An <see cref="IKeyWrapper"/> binds these to the wrapped key: an AES-GCM custodian authenticates
/// <see cref="GetAssociatedData"/>; a KMS passes <see cref="CompanyId"/> and <see cref="FieldName"/> as its encryption
/// context, so that its own audit log names the company whose secret was opened.
/// </remarks>
public sealed class KeyWrapContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="keyId">The key id: 1 to 64 characters of <c>A-Z a-z 0-9 . _ -</c>.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in: 1 to 64 characters of <c>a-z 0-9 . _ -</c>.</param>
    /// <exception cref="ArgumentException">An argument is not valid.</exception>
    public KeyWrapContext(string keyId, string companyId, string fieldName)
    {
        if (!KeyEncryptionKeyRules.IsValidKeyId(keyId))
        {
            throw new ArgumentException($"The key id is not valid: use {KeyEncryptionKeyRules.KeyIdRule}.", nameof(keyId));
        }

        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        KeyId = keyId;
        CompanyId = companyId;
        FieldName = fieldName;
    }

    /// <summary>Gets the id of the key-encryption key that wraps (or wrapped) the data key.</summary>
    public string KeyId { get; }

    /// <summary>Gets the company the value belongs to.</summary>
    public string CompanyId { get; }

    /// <summary>Gets the field the value is stored in.</summary>
    public string FieldName { get; }

    /// <summary>
    /// The bytes an authenticated wrap binds: <c>'W'</c>, the envelope header (format version, <paramref name="suite"/>,
    /// key id length, key id) and the context block (company, field), exactly as docs/envelope-format.md lays them out.
    /// </summary>
    /// <param name="suite">The suite byte of the wrap algorithm.</param>
    /// <returns>A new array; it is not secret.</returns>
    public byte[] GetAssociatedData(byte suite)
    {
        Span<byte> header = stackalloc byte[EnvelopeFormat.KeyIdOffset + KeyEncryptionKeyRules.MaxKeyIdLength];
        header[0] = EnvelopeFormat.Version1;
        header[1] = suite;
        var keyIdLength = Encoding.ASCII.GetBytes(KeyId, header[EnvelopeFormat.KeyIdOffset..]);
        header[2] = (byte)keyIdLength;
        header = header[..(EnvelopeFormat.KeyIdOffset + keyIdLength)];

        Span<byte> context = stackalloc byte[EnvelopeFormat.MaxContextSize];
        context = context[..EnvelopeFormat.WriteContext(context, CompanyId, FieldName)];
        var aad = new byte[1 + header.Length + context.Length];
        EnvelopeFormat.WriteWrapAad(aad, header, context);
        return aad;
    }

    /// <summary>Names the key, company and field; nothing here is secret.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"KeyWrapContext {{ KeyId = {KeyId}, CompanyId = {CompanyId}, FieldName = {FieldName} }}";
}
