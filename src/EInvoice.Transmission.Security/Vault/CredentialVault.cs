using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Seals and opens credential values with AES-256-GCM envelope encryption.
/// </summary>
/// <remarks>
/// <para>
/// Each value gets a fresh random 256-bit data key (DEK) and is encrypted with AES-256-GCM under it; the DEK is then
/// wrapped with AES-256-GCM under the active key-encryption key (KEK) of the ring. Both layers use fresh random
/// 96-bit nonces and full 128-bit tags. The associated data of both layers binds the value to its company id, its
/// field name and the format version; the wrap layer also binds the KEK id. An envelope copied to another company
/// or field therefore fails to open, and rotating the KEK rewraps the DEK without touching the encrypted value.
/// docs/envelope-format.md describes the format byte by byte.
/// </para>
/// <para>
/// The vault is thread-safe and stateless apart from the key ring it reads from its
/// <see cref="IKeyEncryptionKeyProvider"/>. Its methods are synchronous because they do no I/O: key material is
/// loaded once, and an asynchronous signature would cost an allocation on every call for nothing.
/// </para>
/// </remarks>
public sealed class CredentialVault
{
    private readonly IKeyEncryptionKeyProvider _keyProvider;

    /// <summary>Creates a vault that reads its keys from <paramref name="keyProvider"/>.</summary>
    /// <param name="keyProvider">The source of the key ring.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keyProvider"/> is <see langword="null"/>.</exception>
    public CredentialVault(IKeyEncryptionKeyProvider keyProvider)
    {
        ArgumentNullException.ThrowIfNull(keyProvider);
        _keyProvider = keyProvider;
    }

    /// <summary>Gets the id of the key-encryption key that seals new envelopes.</summary>
    public string ActiveKeyId => _keyProvider.GetKeyRing().ActiveKeyId;

    /// <summary>Encrypts a value for one field of one company.</summary>
    /// <param name="plaintext">The value, at most 1 MiB. It may be empty.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in, such as <c>dctce.client_secret</c>: 1 to 64 characters of <c>a-z 0-9 . _ -</c>.</param>
    /// <returns>A new envelope.</returns>
    /// <exception cref="ArgumentException">The plaintext is larger than 1 MiB, or the company id or field name is not valid.</exception>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, string companyId, string fieldName)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        if (plaintext.Length > EnvelopeFormat.MaxPlaintextSize)
        {
            throw new ArgumentException($"A sealed value may be at most {EnvelopeFormat.MaxPlaintextSize} bytes long.", nameof(plaintext));
        }

        var kek = _keyProvider.GetKeyRing().ActiveKey;
        var keyIdLength = kek.IdBytes.Length;
        var envelope = new byte[EnvelopeFormat.GetEnvelopeSize(keyIdLength, plaintext.Length)];
        envelope[0] = EnvelopeFormat.Version1;
        envelope[1] = EnvelopeFormat.SuiteAesGcmWrapAesGcmData;
        envelope[2] = (byte)keyIdLength;
        kek.IdBytes.CopyTo(envelope, EnvelopeFormat.KeyIdOffset);

        var wrapOffset = EnvelopeFormat.KeyIdOffset + keyIdLength;
        var span = envelope.AsSpan();
        var wrapNonce = span.Slice(wrapOffset, EnvelopeFormat.NonceSize);
        var wrappedDek = span.Slice(wrapOffset + EnvelopeFormat.NonceSize, EnvelopeFormat.DekSize);
        var wrapTag = span.Slice(wrapOffset + EnvelopeFormat.NonceSize + EnvelopeFormat.DekSize, EnvelopeFormat.TagSize);
        var dataOffset = wrapOffset + EnvelopeFormat.WrapLayerSize;
        var dataNonce = span.Slice(dataOffset, EnvelopeFormat.NonceSize);
        var ciphertext = span.Slice(dataOffset + EnvelopeFormat.NonceSize, plaintext.Length);
        var dataTag = span[^EnvelopeFormat.TagSize..];

        Span<byte> context = stackalloc byte[EnvelopeFormat.MaxContextSize];
        context = context[..EnvelopeFormat.WriteContext(context, companyId, fieldName)];

        // One random fill gives the DEK and both nonces.
        Span<byte> random = stackalloc byte[EnvelopeFormat.DekSize + (2 * EnvelopeFormat.NonceSize)];
        try
        {
            RandomNumberGenerator.Fill(random);
            var dek = random[..EnvelopeFormat.DekSize];
            random.Slice(EnvelopeFormat.DekSize, EnvelopeFormat.NonceSize).CopyTo(wrapNonce);
            random.Slice(EnvelopeFormat.DekSize + EnvelopeFormat.NonceSize, EnvelopeFormat.NonceSize).CopyTo(dataNonce);

            Span<byte> dataAad = stackalloc byte[EnvelopeFormat.MaxDataAadSize];
            dataAad = dataAad[..EnvelopeFormat.WriteDataAad(dataAad, EnvelopeFormat.Version1, EnvelopeFormat.SuiteAesGcmWrapAesGcmData, context)];
            using (var aes = new AesGcm(dek, EnvelopeFormat.TagSize))
            {
                aes.Encrypt(dataNonce, plaintext, ciphertext, dataTag, dataAad);
            }

            Span<byte> wrapAad = stackalloc byte[EnvelopeFormat.MaxWrapAadSize];
            wrapAad = wrapAad[..EnvelopeFormat.WriteWrapAad(wrapAad, span[..wrapOffset], context)];
            kek.Encrypt(wrapNonce, dek, wrappedDek, wrapTag, wrapAad);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
        }

        return envelope;
    }

    /// <summary>Decrypts an envelope sealed for the given company and field.</summary>
    /// <param name="envelope">An envelope made by <see cref="Seal"/> or <see cref="Rewrap"/>.</param>
    /// <param name="companyId">The company the value belongs to, taken from where the envelope is stored, never from the envelope.</param>
    /// <param name="fieldName">The field the value is stored in.</param>
    /// <returns>The plaintext. Zero it with <see cref="CryptographicOperations.ZeroMemory"/> when done.</returns>
    /// <exception cref="ArgumentException">The company id or field name is not valid.</exception>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened, whatever the reason.</exception>
    public byte[] Open(ReadOnlySpan<byte> envelope, string companyId, string fieldName)
    {
        var parts = Parse(envelope, companyId, fieldName);
        var plaintext = new byte[parts.Ciphertext.Length];
        Decrypt(parts, companyId, fieldName, plaintext);
        return plaintext;
    }

    /// <summary>
    /// Moves an envelope to the active key-encryption key without decrypting the value: only the wrapped DEK is
    /// re-encrypted, and the data layer (data nonce, ciphertext, tag) is copied byte for byte.
    /// </summary>
    /// <param name="envelope">An envelope sealed under any key of the ring.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in.</param>
    /// <returns>A new envelope under the active key.</returns>
    /// <exception cref="ArgumentException">The company id or field name is not valid.</exception>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened, for example because its key is no longer in the ring.</exception>
    public byte[] Rewrap(ReadOnlySpan<byte> envelope, string companyId, string fieldName)
    {
        var parts = Parse(envelope, companyId, fieldName);
        var ring = _keyProvider.GetKeyRing();
        var oldKek = ring.Find(parts.KeyId) ?? throw CredentialVaultException.CannotOpen();
        var newKek = ring.ActiveKey;

        Span<byte> context = stackalloc byte[EnvelopeFormat.MaxContextSize];
        context = context[..EnvelopeFormat.WriteContext(context, companyId, fieldName)];
        Span<byte> wrapAad = stackalloc byte[EnvelopeFormat.MaxWrapAadSize];

        var keyIdLength = newKek.IdBytes.Length;
        var dataLayer = parts.DataLayer;
        var result = new byte[EnvelopeFormat.KeyIdOffset + keyIdLength + EnvelopeFormat.WrapLayerSize + dataLayer.Length];
        var span = result.AsSpan();
        span[0] = EnvelopeFormat.Version1;
        span[1] = EnvelopeFormat.SuiteAesGcmWrapAesGcmData;
        span[2] = (byte)keyIdLength;
        newKek.IdBytes.CopyTo(span[EnvelopeFormat.KeyIdOffset..]);
        var wrapOffset = EnvelopeFormat.KeyIdOffset + keyIdLength;
        var wrapNonce = span.Slice(wrapOffset, EnvelopeFormat.NonceSize);
        var wrappedDek = span.Slice(wrapOffset + EnvelopeFormat.NonceSize, EnvelopeFormat.DekSize);
        var wrapTag = span.Slice(wrapOffset + EnvelopeFormat.NonceSize + EnvelopeFormat.DekSize, EnvelopeFormat.TagSize);
        dataLayer.CopyTo(span[(wrapOffset + EnvelopeFormat.WrapLayerSize)..]);

        Span<byte> dek = stackalloc byte[EnvelopeFormat.DekSize];
        try
        {
            UnwrapDek(oldKek, parts, context, wrapAad, dek);

            // The data layer is not opened here; its tag is still checked by the next Open.
            RandomNumberGenerator.Fill(wrapNonce);
            var aadLength = EnvelopeFormat.WriteWrapAad(wrapAad, span[..wrapOffset], context);
            newKek.Encrypt(wrapNonce, dek, wrappedDek, wrapTag, wrapAad[..aadLength]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }

        return result;
    }

    /// <summary>Reads the id of the key-encryption key an envelope is sealed under, without decrypting anything.</summary>
    /// <param name="envelope">An envelope.</param>
    /// <returns>The key id written in the envelope's header.</returns>
    /// <exception cref="CredentialVaultException">The envelope is not a well-formed envelope.</exception>
    public static string GetKeyId(ReadOnlySpan<byte> envelope)
    {
        if (!EnvelopeFormat.TryParse(envelope, out var parts))
        {
            throw CredentialVaultException.CannotOpen();
        }

        return Encoding.ASCII.GetString(parts.KeyId);
    }

    /// <summary>The key that authenticates new audit entries: derived from the active key-encryption key.</summary>
    internal AuditKey CreateAuditKey() => new(_keyProvider.GetKeyRing().ActiveKey);

    /// <summary>The audit key derived from the key-encryption key <paramref name="keyId"/>, or <see langword="null"/> when the ring lacks it.</summary>
    internal AuditKey? CreateAuditKey(string keyId)
        => KeyEncryptionKeyRules.IsValidKeyId(keyId) && _keyProvider.GetKeyRing().Find(Encoding.ASCII.GetBytes(keyId)) is { } kek
            ? new AuditKey(kek)
            : null;

    /// <summary>Validates the arguments and splits the envelope, once per open.</summary>
    /// <exception cref="CredentialVaultException">The envelope is not a well-formed envelope.</exception>
    private static EnvelopeFormat.Parts Parse(ReadOnlySpan<byte> envelope, string companyId, string fieldName)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        return EnvelopeFormat.TryParse(envelope, out var parts) ? parts : throw CredentialVaultException.CannotOpen();
    }

    /// <summary>Decrypts a parsed envelope into <paramref name="destination"/>, exactly as long as its ciphertext.</summary>
    private void Decrypt(EnvelopeFormat.Parts parts, string companyId, string fieldName, Span<byte> destination)
    {
        var kek = _keyProvider.GetKeyRing().Find(parts.KeyId) ?? throw CredentialVaultException.CannotOpen();

        Span<byte> context = stackalloc byte[EnvelopeFormat.MaxContextSize];
        context = context[..EnvelopeFormat.WriteContext(context, companyId, fieldName)];
        Span<byte> aad = stackalloc byte[EnvelopeFormat.MaxWrapAadSize];
        Span<byte> dek = stackalloc byte[EnvelopeFormat.DekSize];
        try
        {
            UnwrapDek(kek, parts, context, aad, dek);

            var aadLength = EnvelopeFormat.WriteDataAad(aad, parts.Version, parts.Suite, context);
            using var aes = new AesGcm(dek, EnvelopeFormat.TagSize);
            aes.Decrypt(parts.DataNonce, parts.Ciphertext, parts.DataTag, destination, aad[..aadLength]);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw CredentialVaultException.CannotOpen(ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>Seals a secret's UTF-8 bytes, clearing the temporary buffer afterwards.</summary>
    internal byte[] SealSecret(SecretValue secret, string companyId, string fieldName)
    {
        var text = secret.Reveal();
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return Seal(buffer.AsSpan(0, length), companyId, fieldName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Opens an envelope made by <see cref="SealSecret"/>, clearing the temporary buffer afterwards.</summary>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened or holds no text.</exception>
    internal SecretValue OpenSecret(byte[] envelope, string companyId, string fieldName)
    {
        var parts = Parse(envelope, companyId, fieldName);
        var length = parts.Ciphertext.Length;
        if (length == 0)
        {
            throw CredentialVaultException.CannotOpen();
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var plaintext = buffer.AsSpan(0, length);
            Decrypt(parts, companyId, fieldName, plaintext);
            return new SecretValue(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void UnwrapDek(KeyEncryptionKey kek, EnvelopeFormat.Parts parts, ReadOnlySpan<byte> context, Span<byte> aadBuffer, Span<byte> dek)
    {
        var aadLength = EnvelopeFormat.WriteWrapAad(aadBuffer, parts.Header, context);
        try
        {
            kek.Decrypt(parts.WrapNonce, parts.WrappedDek, parts.WrapTag, dek, aadBuffer[..aadLength]);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw CredentialVaultException.CannotOpen(ex);
        }
    }
}
