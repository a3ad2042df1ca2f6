namespace EInvoice.Transmission.Security.Internal;

/// <summary>The audit keys one verification needs, derived once per key id and zeroed when it is over.</summary>
internal sealed class AuditKeyCache(CredentialVault vault) : IDisposable
{
    private readonly Dictionary<string, AuditKey?> _keys = new(StringComparer.Ordinal);

    /// <summary>The audit key of <paramref name="keyId"/>, or <see langword="null"/> when the ring lacks that key.</summary>
    public AuditKey? Get(string keyId)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            _keys[keyId] = key = vault.CreateAuditKey(keyId);
        }

        return key;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key?.Dispose();
        }
    }
}
