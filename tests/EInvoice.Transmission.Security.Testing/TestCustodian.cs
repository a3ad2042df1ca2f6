using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A key custodian for tests: wraps with AES-256-GCM under a key it keeps to itself, as envelope suite 0x02 (the
/// AES-GCM custodian suite an HSM's CKM_AES_GCM also writes), counts its calls, and can be made unreachable.
/// </summary>
/// <remarks>Every call yields before it works, so the vault really awaits, as it would over a network or a PKCS#11 session.</remarks>
public sealed class TestCustodian(string keyId, byte[] key) : IKeyWrapper
{
    public const byte Suite = 0x02;

    private int _wraps;
    private int _unwraps;

    public TestCustodian(string keyId = "custodian_2026")
        : this(keyId, RandomNumberGenerator.GetBytes(32))
    {
    }

    public string KeyId { get; } = keyId;

    /// <summary>The key, which a real custodian would never hand out: for the document-only opener of the vector tests.</summary>
    public byte[] Key => key;

    /// <summary>When <see langword="false"/>, every call throws <see cref="KeyCustodianUnavailableException"/>.</summary>
    public bool IsAvailable { get; set; } = true;

    /// <summary>When set, every unwrap throws what it returns (a custodian failing in a way of its own on stored bytes).</summary>
    public Func<Exception>? UnwrapFault { get; set; }

    public int Wraps => Volatile.Read(ref _wraps);

    public int Unwraps => Volatile.Read(ref _unwraps);

    public bool HoldsKey(string keyId) => keyId == KeyId;

    public async ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _wraps);
        EnsureAvailable(context);
        var wrapped = new byte[12 + 32 + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(wrapped.AsSpan(0, 12), dataKey.Span, wrapped.AsSpan(12, 32), wrapped.AsSpan(44, 16), context.GetAssociatedData(Suite));
        return new WrappedKey(Suite, wrapped);
    }

    public async ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _unwraps);
        EnsureAvailable(context);
        if (UnwrapFault is { } fault)
        {
            throw fault();
        }

        var value = wrappedKey.Value;
        if (wrappedKey.Suite != Suite || value.Length != 60 || context.KeyId != KeyId)
        {
            throw new CryptographicException("Not a wrapped key of this custodian.");
        }

        using var aes = new AesGcm(key, 16);
        aes.Decrypt(value.Span[..12], value.Span.Slice(12, 32), value.Span.Slice(44, 16), dataKey.Span, context.GetAssociatedData(Suite));
    }

    private void EnsureAvailable(KeyWrapContext context)
    {
        if (!IsAvailable)
        {
            throw new KeyCustodianUnavailableException(context.KeyId, $"The test custodian of key '{context.KeyId}' is switched off.", null);
        }
    }
}
