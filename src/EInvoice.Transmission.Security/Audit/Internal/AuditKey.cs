using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The key that authenticates audit entries: HMAC-SHA256 under a key derived from one key-encryption key of the ring
/// (HKDF, its own purpose label), so it lives wherever the KEKs live and never in the database. The entry records
/// <see cref="KeyId"/>, the KEK's id, so that rotating the ring rotates the audit key and old entries still verify.
/// </summary>
internal sealed class AuditKey : IDisposable
{
    private static readonly byte[] Purpose = "EInvoice.Transmission.Security/audit-key/v1"u8.ToArray();
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(32, pinned: true);

    public AuditKey(KeyEncryptionKey kek)
    {
        KeyId = kek.Id;
        kek.DeriveKey(Purpose, _key);
    }

    public string KeyId { get; }

    /// <summary>Lowercase hexadecimal HMAC-SHA256 of <paramref name="data"/>.</summary>
    public string Mac(ReadOnlySpan<byte> data)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, data, mac);
        return Convert.ToHexStringLower(mac);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    /// <summary>Never the key.</summary>
    public override string ToString() => $"AuditKey {{ KeyId = {KeyId} }}";
}
