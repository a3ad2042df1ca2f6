using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// One key-encryption key of a ring: its id, its bytes (pinned, zeroed on dispose) and a pool of
/// <see cref="AesGcm"/> instances keyed with it.
/// </summary>
/// <remarks>
/// <see cref="AesGcm"/> is not thread-safe, and creating one costs more than a 64-byte decryption, so each
/// instance is used by one thread at a time and returned to the pool afterwards.
/// </remarks>
internal sealed class KeyEncryptionKey : IDisposable
{
    private readonly byte[] _key;
    private readonly ConcurrentQueue<AesGcm> _pool = new();
    private readonly int _maxPooled = Math.Max(4, Environment.ProcessorCount * 2);
    private volatile bool _disposed;

    /// <param name="id">A valid key id.</param>
    /// <param name="key">A pinned 32-byte array that this instance takes ownership of.</param>
    public KeyEncryptionKey(string id, byte[] key)
    {
        Id = id;
        IdBytes = Encoding.ASCII.GetBytes(id);
        _key = key;
    }

    public string Id { get; }

    /// <summary>The id as it is written into envelopes (ASCII).</summary>
    public byte[] IdBytes { get; }

    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        var aes = Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
        finally
        {
            Return(aes);
        }
    }

    public void Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var aes = Rent();
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }
        finally
        {
            Return(aes);
        }
    }

    /// <summary>
    /// Derives a key for another purpose (HKDF-SHA256, RFC 5869, with <paramref name="info"/> naming the purpose), so
    /// that the key-encryption key itself is never used for anything but wrapping.
    /// </summary>
    public void DeriveKey(ReadOnlySpan<byte> info, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, output, salt: default, info);
    }

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        while (_pool.TryDequeue(out var aes))
        {
            aes.Dispose();
        }
    }

    private AesGcm Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _pool.TryDequeue(out var aes) ? aes : new AesGcm(_key, EnvelopeFormat.TagSize);
    }

    private void Return(AesGcm aes)
    {
        if (_disposed || _pool.Count >= _maxPooled)
        {
            aes.Dispose();
            return;
        }

        _pool.Enqueue(aes);

        // Dispose may have drained the pool between the check above and the enqueue.
        if (_disposed && _pool.TryDequeue(out var late))
        {
            late.Dispose();
        }
    }
}
