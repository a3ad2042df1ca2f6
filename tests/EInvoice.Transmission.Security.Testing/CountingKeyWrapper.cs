namespace EInvoice.Transmission.Security.Testing;

/// <summary>Counts the calls that reach a key custodian (an HSM round trip each), for the cache tests and benchmarks.</summary>
public sealed class CountingKeyWrapper(IKeyWrapper inner) : IKeyWrapper
{
    private int _wraps;
    private int _unwraps;

    public int Wraps => Volatile.Read(ref _wraps);

    public int Unwraps => Volatile.Read(ref _unwraps);

    public bool HoldsKey(string keyId) => inner.HoldsKey(keyId);

    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _wraps);
        return inner.WrapKeyAsync(dataKey, context, cancellationToken);
    }

    public ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _unwraps);
        return inner.UnwrapKeyAsync(wrappedKey, context, dataKey, cancellationToken);
    }
}
