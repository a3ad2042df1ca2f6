using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Unwrapped data keys by (key id, suite, wrapped key, company, field), bounded by entries, age and uses, each in pinned
/// memory zeroed when it is evicted or the cache is disposed. A context that differs (a swapped company or field) is
/// another entry, so a cache hit never opens an envelope its custodian would refuse.
/// </summary>
internal sealed class DataKeyCache : IDisposable
{
    private readonly DataKeyCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private bool _disposed;

    public DataKeyCache(IOptions<DataKeyCacheOptions> options, TimeProvider timeProvider)
    {
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The cache key: a SHA-256 of everything the unwrap depends on (never the data key).</summary>
    public static string KeyOf(WrappedKey wrapped, KeyWrapContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(context.GetAssociatedData(wrapped.Suite));
        hash.AppendData(wrapped.Value.Span);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>Copies a cached data key into <paramref name="destination"/> and counts the use; false when absent or spent.</summary>
    public bool TryGet(string key, Span<byte> destination)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(key, out var entry))
            {
                return false;
            }

            if (_timeProvider.GetUtcNow() - entry.CreatedAt >= _options.MaxAge || entry.Uses >= _options.MaxUses)
            {
                EvictLocked(entry);
                return false;
            }

            entry.Uses++;
            entry.Key.CopyTo(destination);
            return true;
        }
    }

    /// <summary>Adds a data key the custodian just unwrapped (that unwrap counts as its first use).</summary>
    public void Add(string key, ReadOnlySpan<byte> dataKey)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var existing))
            {
                EvictLocked(existing);
            }

            while (_entries.Count >= _options.MaxEntries && _order.First is { } oldest)
            {
                EvictLocked(_entries[oldest.Value]);
            }

            var buffer = GC.AllocateArray<byte>(dataKey.Length, pinned: true);
            dataKey.CopyTo(buffer);
            var entry = new Entry(key, buffer, _timeProvider.GetUtcNow(), _order.AddLast(key)) { Uses = 1 };
            _entries[key] = entry;
        }
    }

    /// <summary>For tests: the pinned buffer of an entry, to check that eviction zeroes it.</summary>
    internal byte[]? BufferOf(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var entry) ? entry.Key : null;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var entry in _entries.Values.ToList())
            {
                EvictLocked(entry);
            }
        }
    }

    private void EvictLocked(Entry entry)
    {
        CryptographicOperations.ZeroMemory(entry.Key);
        _entries.Remove(entry.LookupHash);
        _order.Remove(entry.Node);
    }

    private sealed class Entry(string lookupHash, byte[] key, DateTimeOffset createdAt, LinkedListNode<string> node)
    {
        public string LookupHash { get; } = lookupHash;

        public byte[] Key { get; } = key;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public LinkedListNode<string> Node { get; } = node;

        public long Uses { get; set; }
    }
}
