using System.Security.Cryptography;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// The key-encryption keys (KEKs) the vault may use: one active key that seals, and older keys that only open.
/// </summary>
/// <remarks>
/// <para>
/// Each key is exactly 32 random bytes with an id of 1 to 64 characters of <c>A-Z a-z 0-9 . _ -</c>. The id is
/// written into every envelope so that the right key can be found when opening; it is not secret.
/// </para>
/// <para>
/// The ring is the local <see cref="IKeyWrapper"/>: it wraps data keys with AES-256-GCM under its keys (envelope suite
/// 0x01), binding the key id, company and field as associated data.
/// </para>
/// <para>
/// The ring copies the keys into pinned memory that <see cref="Dispose"/> zeroes. Callers should zero their own
/// copies after constructing the ring.
/// </para>
/// </remarks>
public sealed class KeyEncryptionKeyRing : IKeyWrapper, IDisposable
{
    private readonly KeyEncryptionKey[] _keys;

    /// <summary>Creates a key ring.</summary>
    /// <param name="activeKeyId">The id of the key that seals new envelopes; it must be one of <paramref name="keys"/>.</param>
    /// <param name="keys">The keys by id: each exactly 32 random bytes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="activeKeyId"/> or <paramref name="keys"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// A key id is malformed or repeated, a key is not 32 random bytes, the ring is empty, or
    /// <paramref name="activeKeyId"/> is not in it.
    /// </exception>
    public KeyEncryptionKeyRing(string activeKeyId, IEnumerable<KeyValuePair<string, byte[]>> keys)
    {
        ArgumentNullException.ThrowIfNull(activeKeyId);
        ArgumentNullException.ThrowIfNull(keys);

        var list = new List<KeyEncryptionKey>();
        try
        {
            foreach (var (id, bytes) in keys)
            {
                if (!KeyEncryptionKeyRules.IsValidKeyId(id))
                {
                    throw new ArgumentException($"The key id '{id}' is not valid: use {KeyEncryptionKeyRules.KeyIdRule}.", nameof(keys));
                }

                if (list.Exists(k => k.Id == id))
                {
                    throw new ArgumentException($"The key id '{id}' appears more than once.", nameof(keys));
                }

                ArgumentNullException.ThrowIfNull(bytes, nameof(keys));
                var problem = KeyEncryptionKeyRules.GetKeyProblem(bytes);
                if (problem is not null)
                {
                    throw new ArgumentException($"The key '{id}' cannot be used: {problem}.", nameof(keys));
                }

                var pinned = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
                bytes.CopyTo(pinned, 0);
                list.Add(new KeyEncryptionKey(id, pinned));
            }

            if (list.Count == 0)
            {
                throw new ArgumentException("A key ring needs at least one key.", nameof(keys));
            }

            ActiveKey = list.Find(k => k.Id == activeKeyId)
                ?? throw new ArgumentException($"The active key id '{activeKeyId}' is not one of the keys of the ring.", nameof(activeKeyId));
        }
        catch
        {
            list.ForEach(k => k.Dispose());
            throw;
        }

        _keys = [.. list];
        KeyIds = Array.ConvertAll(_keys, k => k.Id);
    }

    /// <summary>Gets the id of the key that seals new envelopes.</summary>
    public string ActiveKeyId => ActiveKey.Id;

    /// <summary>Gets the ids of every key in the ring, the active one included.</summary>
    public IReadOnlyList<string> KeyIds { get; }

    internal KeyEncryptionKey ActiveKey { get; }

    /// <summary>Zeroes every key of the ring. The ring cannot be used afterwards.</summary>
    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    /// <inheritdoc/>
    bool IKeyWrapper.HoldsKey(string keyId) => keyId is not null && Array.Exists(_keys, k => k.Id == keyId);

    /// <inheritdoc/>
    ValueTask<WrappedKey> IKeyWrapper.WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        if (dataKey.Length != EnvelopeFormat.DekSize)
        {
            throw new ArgumentException($"A data key is {EnvelopeFormat.DekSize} bytes long.", nameof(dataKey));
        }

        var kek = Array.Find(_keys, k => k.Id == context.KeyId)
            ?? throw new ArgumentException($"The key '{context.KeyId}' is not in the key ring.", nameof(context));

        // Suite 0x01's wrap layer: nonce, wrapped DEK, tag.
        var wrapped = new byte[EnvelopeFormat.WrapLayerSize];
        var span = wrapped.AsSpan();
        RandomNumberGenerator.Fill(span[..EnvelopeFormat.NonceSize]);
        kek.Encrypt(
            span[..EnvelopeFormat.NonceSize],
            dataKey.Span,
            span.Slice(EnvelopeFormat.NonceSize, EnvelopeFormat.DekSize),
            span[(EnvelopeFormat.NonceSize + EnvelopeFormat.DekSize)..],
            context.GetAssociatedData(EnvelopeFormat.SuiteAesGcmWrapAesGcmData));
        return ValueTask.FromResult(new WrappedKey(EnvelopeFormat.SuiteAesGcmWrapAesGcmData, wrapped));
    }

    /// <inheritdoc/>
    ValueTask IKeyWrapper.UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        if (dataKey.Length != EnvelopeFormat.DekSize)
        {
            throw new ArgumentException($"A data key is {EnvelopeFormat.DekSize} bytes long.", nameof(dataKey));
        }

        var value = wrappedKey.Value.Span;
        if (wrappedKey.Suite != EnvelopeFormat.SuiteAesGcmWrapAesGcmData || value.Length != EnvelopeFormat.WrapLayerSize
            || Array.Find(_keys, k => k.Id == context.KeyId) is not { } kek)
        {
            throw new CryptographicException("The wrapped key is not one this key ring made.");
        }

        kek.Decrypt(
            value[..EnvelopeFormat.NonceSize],
            value.Slice(EnvelopeFormat.NonceSize, EnvelopeFormat.DekSize),
            value[(EnvelopeFormat.NonceSize + EnvelopeFormat.DekSize)..],
            dataKey.Span,
            context.GetAssociatedData(EnvelopeFormat.SuiteAesGcmWrapAesGcmData));
        return ValueTask.CompletedTask;
    }

    /// <summary>Finds a key by the ASCII id written in an envelope; a ring is small, so a scan beats hashing.</summary>
    internal KeyEncryptionKey? Find(ReadOnlySpan<byte> keyId)
    {
        foreach (var key in _keys)
        {
            if (keyId.SequenceEqual(key.IdBytes))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// Creates a ring from base64 keys; used by the options-based provider after validation. A key whose value is empty
    /// is not in the ring (that is how configuration retires a key it cannot remove).
    /// </summary>
    internal static KeyEncryptionKeyRing FromBase64(string activeKeyId, IEnumerable<KeyValuePair<string, string>> keys)
    {
        var decoded = new List<KeyValuePair<string, byte[]>>();
        try
        {
            foreach (var (id, base64) in keys)
            {
                if (string.IsNullOrEmpty(base64))
                {
                    continue;
                }

                var bytes = KeyEncryptionKeyRules.TryDecode(base64, out var problem)
                    ?? throw new ArgumentException($"The key '{id}' cannot be used: {problem}.", nameof(keys));
                decoded.Add(new(id, bytes));
            }

            return new KeyEncryptionKeyRing(activeKeyId, decoded);
        }
        finally
        {
            foreach (var (_, bytes) in decoded)
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }
}
