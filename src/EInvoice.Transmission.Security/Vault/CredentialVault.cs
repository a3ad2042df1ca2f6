using System.Buffers;
using System.Buffers.Binary;
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
/// wrapped by the custodian of the active key-encryption key (KEK): the local key ring (AES-256-GCM, suite 0x01), or an
/// <see cref="IKeyWrapper"/> that holds a key the process may not read (an HSM, a cloud KMS). The associated data of
/// both layers binds the value to its company id and field name; the wrap layer also binds the KEK id. An envelope
/// copied to another company or field therefore fails to open, and moving to another KEK rewraps the DEK without
/// touching the encrypted value. docs/envelope-format.md describes the format byte by byte.
/// </para>
/// <para>
/// The library seals and opens through the asynchronous members (<see cref="SealAsync"/>, <see cref="OpenAsync"/>,
/// <see cref="RewrapAsync"/>), which reach any custodian. The synchronous <see cref="Seal"/>, <see cref="Open"/> and
/// <see cref="Rewrap"/> remain for the local key ring only, where they do no I/O and allocate less: they refuse an
/// envelope or an active key held by another custodian.
/// </para>
/// <para>The vault is thread-safe and stateless apart from the key ring and custodians it was given.</para>
/// </remarks>
public sealed class CredentialVault
{
    private readonly IKeyEncryptionKeyProvider _keyProvider;
    private readonly IKeyWrapper[] _custodians;
    private readonly Lazy<string?> _wrapKeyId;
    private readonly Lazy<bool> _localKeysOpenEnvelopes;

    /// <summary>Creates a vault that reads its keys from <paramref name="keyProvider"/>.</summary>
    /// <param name="keyProvider">The source of the key ring.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keyProvider"/> is <see langword="null"/>.</exception>
    public CredentialVault(IKeyEncryptionKeyProvider keyProvider)
        : this(keyProvider, [], (string?)null)
    {
    }

    /// <summary>Creates a vault whose data keys may be wrapped by key custodians other than the local key ring.</summary>
    /// <param name="keyProvider">The local key ring: it opens envelopes under its keys, and its active key derives the audit key.</param>
    /// <param name="custodians">Custodians of keys outside the ring, asked in order for an envelope's key id.</param>
    /// <param name="wrapKeyId">The key that wraps new data keys; <see langword="null"/> for the ring's active key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="keyProvider"/> or <paramref name="custodians"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrapKeyId"/> is not a valid key id.</exception>
    public CredentialVault(IKeyEncryptionKeyProvider keyProvider, IEnumerable<IKeyWrapper> custodians, string? wrapKeyId)
        : this(keyProvider, custodians, new Lazy<string?>(wrapKeyId), new Lazy<bool>(static () => true))
    {
        if (wrapKeyId is not null && !KeyEncryptionKeyRules.IsValidKeyId(wrapKeyId))
        {
            throw new ArgumentException($"The key id is not valid: use {KeyEncryptionKeyRules.KeyIdRule}.", nameof(wrapKeyId));
        }
    }

    private CredentialVault(IKeyEncryptionKeyProvider keyProvider, IEnumerable<IKeyWrapper> custodians, Lazy<string?> wrapKeyId, Lazy<bool> localKeysOpenEnvelopes)
    {
        ArgumentNullException.ThrowIfNull(keyProvider);
        ArgumentNullException.ThrowIfNull(custodians);
        _keyProvider = keyProvider;
        _custodians = [.. custodians];
        _wrapKeyId = wrapKeyId;
        _localKeysOpenEnvelopes = localKeysOpenEnvelopes;
    }

    /// <summary>For the container: the wrap key is read from validated options on first use, not when the vault is built.</summary>
    internal static CredentialVault Create(IKeyEncryptionKeyProvider keyProvider, IEnumerable<IKeyWrapper> custodians, Lazy<string?> wrapKeyId, Lazy<bool> localKeysOpenEnvelopes)
        => new(keyProvider, custodians, wrapKeyId, localKeysOpenEnvelopes);

    /// <summary>Gets the id of the key-encryption key that seals new envelopes.</summary>
    public string ActiveKeyId => _wrapKeyId.Value ?? _keyProvider.GetKeyRing().ActiveKeyId;

    /// <summary>Encrypts a value for one field of one company, with the local key ring (no I/O).</summary>
    /// <param name="plaintext">The value, at most 1 MiB. It may be empty.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in, such as <c>dctce.client_secret</c>: 1 to 64 characters of <c>a-z 0-9 . _ -</c>.</param>
    /// <returns>A new envelope.</returns>
    /// <exception cref="ArgumentException">The plaintext is larger than 1 MiB, or the company id or field name is not valid.</exception>
    /// <exception cref="InvalidOperationException">The active key is held by a custodian other than the local ring: use <see cref="SealAsync"/>.</exception>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, string companyId, string fieldName)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        if (plaintext.Length > EnvelopeFormat.MaxPlaintextSize)
        {
            throw new ArgumentException($"A sealed value may be at most {EnvelopeFormat.MaxPlaintextSize} bytes long.", nameof(plaintext));
        }

        var kek = LocalActiveKey();
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

    /// <summary>Decrypts an envelope sealed for the given company and field under a key of the local ring (no I/O).</summary>
    /// <param name="envelope">An envelope made by <see cref="Seal"/> or <see cref="Rewrap"/>.</param>
    /// <param name="companyId">The company the value belongs to, taken from where the envelope is stored, never from the envelope.</param>
    /// <param name="fieldName">The field the value is stored in.</param>
    /// <returns>The plaintext. Zero it with <see cref="CryptographicOperations.ZeroMemory"/> when done.</returns>
    /// <exception cref="ArgumentException">The company id or field name is not valid.</exception>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened, whatever the reason; an envelope under a custodian's key opens with <see cref="OpenAsync"/> only.</exception>
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
    /// <exception cref="InvalidOperationException">The active key is held by a custodian other than the local ring: use <see cref="RewrapAsync"/>.</exception>
    public byte[] Rewrap(ReadOnlySpan<byte> envelope, string companyId, string fieldName)
    {
        var parts = Parse(envelope, companyId, fieldName);
        var oldKek = LocalEnvelopeKey(parts.KeyId) ?? throw CredentialVaultException.CannotOpen();
        var newKek = LocalActiveKey();

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
        if (!EnvelopeFormat.TryParseLayout(envelope, out var layout))
        {
            throw CredentialVaultException.CannotOpen();
        }

        return Encoding.ASCII.GetString(envelope.Slice(EnvelopeFormat.KeyIdOffset, layout.KeyIdLength));
    }

    /// <summary>
    /// The key that authenticates new audit entries: derived from the local ring's active key, even when a custodian
    /// wraps the data keys (a key the process may not read cannot feed a derivation; docs/security.md, "Audit key").
    /// </summary>
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
        var kek = LocalEnvelopeKey(parts.KeyId) ?? throw CredentialVaultException.CannotOpen();

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

    /// <summary>Encrypts a value for one field of one company, its data key wrapped by the custodian of the active key.</summary>
    /// <param name="plaintext">The value, at most 1 MiB. It may be empty.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in, such as <c>dctce.client_secret</c>: 1 to 64 characters of <c>a-z 0-9 . _ -</c>.</param>
    /// <param name="cancellationToken">Cancels the call to the custodian.</param>
    /// <returns>A new envelope.</returns>
    /// <exception cref="ArgumentException">The plaintext is larger than 1 MiB, or the company id or field name is not valid.</exception>
    /// <exception cref="InvalidOperationException">No custodian holds the active key, or it returned a wrapped key the envelope format cannot carry.</exception>
    /// <exception cref="KeyCustodianUnavailableException">The custodian of the active key cannot be reached now.</exception>
    public async Task<byte[]> SealAsync(ReadOnlyMemory<byte> plaintext, string companyId, string fieldName, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        if (plaintext.Length > EnvelopeFormat.MaxPlaintextSize)
        {
            throw new ArgumentException($"A sealed value may be at most {EnvelopeFormat.MaxPlaintextSize} bytes long.", nameof(plaintext));
        }

        var ring = _keyProvider.GetKeyRing();
        var keyId = _wrapKeyId.Value ?? ring.ActiveKeyId;
        var wrapper = FindWrapper(ring, keyId) ?? throw NoCustodian(keyId);
        var context = new KeyWrapContext(keyId, companyId, fieldName);
        var dek = GC.AllocateArray<byte>(EnvelopeFormat.DekSize, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(dek);
            var wrapped = await wrapper.WrapKeyAsync(dek, context, cancellationToken).ConfigureAwait(false);
            return Assemble(keyId, wrapped, context, dek, plaintext.Span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>Decrypts an envelope sealed for the given company and field, whichever custodian holds its key.</summary>
    /// <param name="envelope">An envelope made by <see cref="SealAsync"/>, <see cref="Seal"/> or a rewrap.</param>
    /// <param name="companyId">The company the value belongs to, taken from where the envelope is stored, never from the envelope.</param>
    /// <param name="fieldName">The field the value is stored in.</param>
    /// <param name="cancellationToken">Cancels the call to the custodian.</param>
    /// <returns>The plaintext. Zero it with <see cref="CryptographicOperations.ZeroMemory"/> when done.</returns>
    /// <exception cref="ArgumentException">The company id or field name is not valid.</exception>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened, whatever the reason.</exception>
    /// <exception cref="KeyCustodianUnavailableException">The custodian of the envelope's key cannot be reached now.</exception>
    public async Task<byte[]> OpenAsync(ReadOnlyMemory<byte> envelope, string companyId, string fieldName, CancellationToken cancellationToken = default)
    {
        var layout = ParseLayout(envelope.Span, companyId, fieldName);
        var dek = GC.AllocateArray<byte>(EnvelopeFormat.DekSize, pinned: true);
        try
        {
            await UnwrapAsync(_keyProvider.GetKeyRing(), envelope, layout, companyId, fieldName, dek, cancellationToken).ConfigureAwait(false);
            var plaintext = new byte[envelope.Length - layout.DataOffset - EnvelopeFormat.NonceSize - EnvelopeFormat.TagSize];
            DecryptData(envelope.Span, layout, companyId, fieldName, dek, plaintext);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>
    /// Moves an envelope to the active key-encryption key, whichever custodian holds either key, without decrypting the
    /// value: the DEK is unwrapped by the old key's custodian and wrapped by the new one's, and the data layer (data
    /// nonce, ciphertext, tag) is copied byte for byte.
    /// </summary>
    /// <param name="envelope">An envelope sealed under any key a custodian of this vault holds.</param>
    /// <param name="companyId">The company the value belongs to.</param>
    /// <param name="fieldName">The field the value is stored in.</param>
    /// <param name="cancellationToken">Cancels the calls to the custodians.</param>
    /// <returns>A new envelope under the active key.</returns>
    /// <exception cref="ArgumentException">The company id or field name is not valid.</exception>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened, for example because no custodian holds its key any more.</exception>
    /// <exception cref="InvalidOperationException">No custodian holds the active key.</exception>
    /// <exception cref="KeyCustodianUnavailableException">A custodian cannot be reached now.</exception>
    public async Task<byte[]> RewrapAsync(ReadOnlyMemory<byte> envelope, string companyId, string fieldName, CancellationToken cancellationToken = default)
    {
        var layout = ParseLayout(envelope.Span, companyId, fieldName);
        var ring = _keyProvider.GetKeyRing();
        var keyId = _wrapKeyId.Value ?? ring.ActiveKeyId;
        var wrapper = FindWrapper(ring, keyId) ?? throw NoCustodian(keyId);
        var dek = GC.AllocateArray<byte>(EnvelopeFormat.DekSize, pinned: true);
        try
        {
            await UnwrapAsync(ring, envelope, layout, companyId, fieldName, dek, cancellationToken).ConfigureAwait(false);

            // The data layer is not opened here; its tag is still checked by the next open.
            var context = new KeyWrapContext(keyId, companyId, fieldName);
            var wrapped = await wrapper.WrapKeyAsync(dek, context, cancellationToken).ConfigureAwait(false);
            var dataLayer = envelope.Span[layout.DataOffset..];
            var header = WriteHeader(keyId, wrapped, dataLayer.Length, out var result);
            dataLayer.CopyTo(result.AsSpan(header));
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>Seals a secret's UTF-8 bytes through the active key's custodian, clearing the temporary buffer afterwards.</summary>
    internal async Task<byte[]> SealSecretAsync(SecretValue secret, string companyId, string fieldName, CancellationToken cancellationToken)
    {
        var text = secret.Reveal();
        var buffer = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(text), pinned: true);
        try
        {
            Encoding.UTF8.GetBytes(text, buffer);
            return await SealAsync(buffer, companyId, fieldName, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <summary>Opens an envelope made by <see cref="SealSecretAsync"/>, clearing the temporary buffer afterwards.</summary>
    /// <exception cref="CredentialVaultException">The envelope cannot be opened or holds no text.</exception>
    internal async Task<SecretValue> OpenSecretAsync(byte[] envelope, string companyId, string fieldName, CancellationToken cancellationToken)
    {
        var plaintext = await OpenAsync(envelope, companyId, fieldName, cancellationToken).ConfigureAwait(false);
        try
        {
            return plaintext.Length == 0 ? throw CredentialVaultException.CannotOpen() : new SecretValue(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The custodian of <paramref name="keyId"/>: the local ring first, then the others in order.</summary>
    internal IKeyWrapper? FindWrapper(string keyId) => FindWrapper(_keyProvider.GetKeyRing(), keyId);

    private IKeyWrapper? FindWrapper(IKeyWrapper ring, string keyId)
    {
        if (ring.HoldsKey(keyId))
        {
            // A ring key that serves the audit only opens and seals nothing (LocalKeysOpenEnvelopes).
            return _localKeysOpenEnvelopes.Value ? ring : null;
        }

        foreach (var custodian in _custodians)
        {
            if (custodian.HoldsKey(keyId))
            {
                return custodian;
            }
        }

        return null;
    }

    private static InvalidOperationException NoCustodian(string keyId)
        => new($"No key custodian holds the active key '{keyId}': it is neither in the local key ring nor held by a registered {nameof(IKeyWrapper)}.");

    private static EnvelopeFormat.Layout ParseLayout(ReadOnlySpan<byte> envelope, string companyId, string fieldName)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        EnvelopeFormat.ValidateFieldName(fieldName, nameof(fieldName));
        return EnvelopeFormat.TryParseLayout(envelope, out var layout) ? layout : throw CredentialVaultException.CannotOpen();
    }

    /// <summary>Unwraps the envelope's DEK into <paramref name="dek"/> through the custodian of its key.</summary>
    private async ValueTask UnwrapAsync(KeyEncryptionKeyRing ring, ReadOnlyMemory<byte> envelope, EnvelopeFormat.Layout layout, string companyId, string fieldName, byte[] dek, CancellationToken cancellationToken)
    {
        var keyId = Encoding.ASCII.GetString(envelope.Span.Slice(EnvelopeFormat.KeyIdOffset, layout.KeyIdLength));
        if (!KeyEncryptionKeyRules.IsValidKeyId(keyId) || FindWrapper(ring, keyId) is not { } wrapper)
        {
            throw CredentialVaultException.CannotOpen();
        }

        try
        {
            var wrapped = new WrappedKey(layout.Suite, envelope.Slice(layout.WrapOffset, layout.WrapLength));
            await wrapper.UnwrapKeyAsync(wrapped, new KeyWrapContext(keyId, companyId, fieldName), dek, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (KeyCustodianUnavailableException or OperationCanceledException or CredentialVaultException))
        {
            // Whatever else a custodian throws on stored bytes (a FormatException of a blob parser, an
            // InvalidOperationException of a library) says these bytes do not open: the caller's listing or rotation goes
            // on for the other companies instead of stopping at an exception type it does not expect.
            throw CredentialVaultException.CannotOpen(ex);
        }
    }

    private static void DecryptData(ReadOnlySpan<byte> envelope, EnvelopeFormat.Layout layout, string companyId, string fieldName, ReadOnlySpan<byte> dek, Span<byte> destination)
    {
        Span<byte> context = stackalloc byte[EnvelopeFormat.MaxContextSize];
        context = context[..EnvelopeFormat.WriteContext(context, companyId, fieldName)];
        Span<byte> aad = stackalloc byte[EnvelopeFormat.MaxDataAadSize];
        aad = aad[..EnvelopeFormat.WriteDataAad(aad, EnvelopeFormat.Version1, EnvelopeFormat.DataAlgorithmAesGcm, context)];
        var data = envelope[layout.DataOffset..];
        try
        {
            using var aes = new AesGcm(dek, EnvelopeFormat.TagSize);
            aes.Decrypt(data[..EnvelopeFormat.NonceSize], data[EnvelopeFormat.NonceSize..^EnvelopeFormat.TagSize], data[^EnvelopeFormat.TagSize..], destination, aad);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw CredentialVaultException.CannotOpen(ex);
        }
    }

    /// <summary>Builds an envelope around a wrapped DEK and encrypts the value under the DEK.</summary>
    private static byte[] Assemble(string keyId, WrappedKey wrapped, KeyWrapContext context, ReadOnlySpan<byte> dek, ReadOnlySpan<byte> plaintext)
    {
        var dataOffset = WriteHeader(keyId, wrapped, EnvelopeFormat.NonceSize + plaintext.Length + EnvelopeFormat.TagSize, out var envelope);
        var span = envelope.AsSpan(dataOffset);
        var dataNonce = span[..EnvelopeFormat.NonceSize];
        RandomNumberGenerator.Fill(dataNonce);

        Span<byte> contextBytes = stackalloc byte[EnvelopeFormat.MaxContextSize];
        contextBytes = contextBytes[..EnvelopeFormat.WriteContext(contextBytes, context.CompanyId, context.FieldName)];
        Span<byte> aad = stackalloc byte[EnvelopeFormat.MaxDataAadSize];
        aad = aad[..EnvelopeFormat.WriteDataAad(aad, EnvelopeFormat.Version1, EnvelopeFormat.DataAlgorithmAesGcm, contextBytes)];
        using var aes = new AesGcm(dek, EnvelopeFormat.TagSize);
        aes.Encrypt(dataNonce, plaintext, span.Slice(EnvelopeFormat.NonceSize, plaintext.Length), span[^EnvelopeFormat.TagSize..], aad);
        return envelope;
    }

    /// <summary>
    /// Allocates an envelope for <paramref name="dataLayerLength"/> bytes of data layer, writes its header and wrap layer,
    /// and returns the offset of the data layer.
    /// </summary>
    /// <exception cref="InvalidOperationException">The custodian returned a wrapped key the suite cannot carry.</exception>
    private static int WriteHeader(string keyId, WrappedKey wrapped, int dataLayerLength, out byte[] envelope)
    {
        var value = wrapped.Value.Span;
        var keyIdLength = keyId.Length;
        var prefixed = wrapped.Suite != EnvelopeFormat.SuiteAesGcmWrapAesGcmData;
        if (wrapped.Suite == 0
            || (prefixed ? value.Length is 0 or > EnvelopeFormat.MaxWrappedKeySize : value.Length != EnvelopeFormat.WrapLayerSize))
        {
            throw new InvalidOperationException($"The custodian of key '{keyId}' returned a wrapped key of suite 0x{wrapped.Suite:x2} and {value.Length} bytes, which the envelope format cannot carry.");
        }

        var wrapOffset = EnvelopeFormat.KeyIdOffset + keyIdLength + (prefixed ? EnvelopeFormat.WrapLengthSize : 0);
        envelope = new byte[wrapOffset + value.Length + dataLayerLength];
        envelope[0] = EnvelopeFormat.Version1;
        envelope[1] = wrapped.Suite;
        envelope[2] = (byte)keyIdLength;
        Encoding.ASCII.GetBytes(keyId, envelope.AsSpan(EnvelopeFormat.KeyIdOffset));
        if (prefixed)
        {
            BinaryPrimitives.WriteUInt16BigEndian(envelope.AsSpan(EnvelopeFormat.KeyIdOffset + keyIdLength), (ushort)value.Length);
        }

        value.CopyTo(envelope.AsSpan(wrapOffset));
        return wrapOffset + value.Length;
    }

    /// <summary>
    /// The ring's key that opens an envelope under <paramref name="keyId"/>; none once the ring's keys serve the audit
    /// only (<see cref="CredentialVaultOptions.LocalKeysOpenEnvelopes"/>), so that a key read from the configuration
    /// cannot be used to forge an envelope the library would accept.
    /// </summary>
    private KeyEncryptionKey? LocalEnvelopeKey(ReadOnlySpan<byte> keyId)
        => _localKeysOpenEnvelopes.Value ? _keyProvider.GetKeyRing().Find(keyId) : null;

    /// <summary>The ring's key that the synchronous members seal with: only when it is the vault's active key.</summary>
    private KeyEncryptionKey LocalActiveKey()
    {
        if (!_localKeysOpenEnvelopes.Value)
        {
            throw new InvalidOperationException($"The local key ring no longer seals envelopes ({nameof(CredentialVaultOptions)}.{nameof(CredentialVaultOptions.LocalKeysOpenEnvelopes)} is false): use the asynchronous members of {nameof(CredentialVault)}.");
        }

        var ring = _keyProvider.GetKeyRing();
        return _wrapKeyId.Value is not { } keyId ? ring.ActiveKey
            : ring.Find(Encoding.ASCII.GetBytes(keyId))
                ?? throw new InvalidOperationException($"The active key '{keyId}' is held by a key custodian, not by the local key ring: use the asynchronous members of {nameof(CredentialVault)}.");
    }
}
