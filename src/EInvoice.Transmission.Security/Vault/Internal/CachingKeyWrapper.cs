namespace EInvoice.Transmission.Security.Internal;

/// <summary>A key custodian whose unwraps go through the <see cref="DataKeyCache"/>; wraps always reach the custodian.</summary>
internal sealed class CachingKeyWrapper(IKeyWrapper inner, DataKeyCache cache) : IKeyWrapper
{
    public IKeyWrapper Inner => inner;

    public bool HoldsKey(string keyId) => inner.HoldsKey(keyId);

    public ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, KeyWrapContext context, CancellationToken cancellationToken)
        => inner.WrapKeyAsync(dataKey, context, cancellationToken);

    public async ValueTask UnwrapKeyAsync(WrappedKey wrappedKey, KeyWrapContext context, Memory<byte> dataKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = DataKeyCache.KeyOf(wrappedKey, context);
        if (cache.TryGet(key, dataKey.Span))
        {
            return;
        }

        await inner.UnwrapKeyAsync(wrappedKey, context, dataKey, cancellationToken).ConfigureAwait(false);
        cache.Add(key, dataKey.Span);
    }
}
