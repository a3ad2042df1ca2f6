namespace EInvoice.Transmission.Security.Tool;

/// <summary>
/// Which key-encryption keys seal what is stored, read from the envelopes' headers (<see cref="CredentialVault.GetKeyId"/>)
/// without opening any: counts per key, for <c>key check</c> and the totals of <c>rewrap</c>.
/// </summary>
internal sealed class KeyUsage
{
    private const int PageSize = 1000;

    private KeyUsage(long credentials, IReadOnlyDictionary<string, Count> keys, long notOnlyUnderActiveKey)
    {
        Credentials = credentials;
        Keys = keys;
        NotOnlyUnderActiveKey = notOnlyUnderActiveKey;
    }

    /// <summary>The number of companies with stored credentials.</summary>
    public long Credentials { get; }

    /// <summary>Per key id: how many companies have at least one envelope under it, and how many envelopes it seals.</summary>
    public IReadOnlyDictionary<string, Count> Keys { get; }

    /// <summary>The number of companies with at least one envelope under another key than the active one given to the scan.</summary>
    public long NotOnlyUnderActiveKey { get; }

    public static async Task<KeyUsage> ScanAsync(ICredentialRepository repository, string? activeKeyId, CancellationToken cancellationToken)
    {
        var keys = new Dictionary<string, Count>(StringComparer.Ordinal);
        long credentials = 0, notOnlyUnderActive = 0;
        string? after = null;
        while (true)
        {
            var page = await repository.ListAsync(after, PageSize, cancellationToken);
            foreach (var row in page)
            {
                credentials++;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var envelope in row.Secrets.Values.Concat([row.AccessToken, row.RefreshToken, row.DestinationSeal]))
                {
                    if (envelope is null)
                    {
                        continue;
                    }

                    var keyId = KeyIdOf(envelope);
                    var count = keys.TryGetValue(keyId, out var c) ? c : keys[keyId] = new Count();
                    count.Envelopes++;
                    if (seen.Add(keyId))
                    {
                        count.Credentials++;
                    }
                }

                if (activeKeyId is not null && seen.Any(k => k != activeKeyId))
                {
                    notOnlyUnderActive++;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].CompanyId;
        }

        return new KeyUsage(credentials, keys, notOnlyUnderActive);
    }

    private static string KeyIdOf(byte[] envelope)
    {
        try
        {
            return CredentialVault.GetKeyId(envelope);
        }
        catch (CredentialVaultException)
        {
            // A damaged envelope has no key to name; counted apart so that the totals still add up.
            return "(unreadable)";
        }
    }

    internal sealed class Count
    {
        public long Credentials { get; set; }

        public long Envelopes { get; set; }
    }
}
