namespace EInvoice.Transmission.Security;

/// <summary>
/// Keeps credentials, the audit trail, the token leases and the reminder claims in process memory: for tests, samples and development. Everything is
/// lost when the process ends, so it is never chosen by default; register it explicitly with
/// <c>UseInMemoryCredentialRepository()</c>.
/// </summary>
/// <remarks>Thread-safe; every operation is atomic, and a credential write and its audit entry happen together.</remarks>
public sealed class InMemoryCredentialRepository : ICredentialRepository, IAuditTrailRepository, ITokenLeaseRepository, IReminderClaimRepository
{
    private readonly Lock _gate = new();
    private readonly SortedList<string, StoredCredential> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset ExpiresAt)> _leases = new(StringComparer.Ordinal);
    private readonly List<AuditEntry> _audit = [];
    private readonly Dictionary<(string CompanyId, long Version, string Secret, string Threshold), (string Claimant, DateTimeOffset LeaseUntil, bool Delivered)> _reminders = [];
    private AuditHead? _head;

    /// <inheritdoc/>
    public Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_rows.GetValueOrDefault(companyId));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredCredential>> ListAsync(string? afterCompanyId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var start = 0;
            if (afterCompanyId is not null)
            {
                // First key greater than afterCompanyId, by binary search over the sorted keys.
                int low = 0, high = _rows.Count;
                while (low < high)
                {
                    var mid = (low + high) / 2;
                    if (string.CompareOrdinal(_rows.Keys[mid], afterCompanyId) <= 0)
                    {
                        low = mid + 1;
                    }
                    else
                    {
                        high = mid;
                    }
                }

                start = low;
            }

            var page = new List<StoredCredential>(Math.Min(limit, _rows.Count - start));
            for (var i = start; i < _rows.Count && page.Count < limit; i++)
            {
                page.Add(_rows.Values[i]);
            }

            return Task.FromResult<IReadOnlyList<StoredCredential>>(page);
        }
    }

    /// <inheritdoc/>
    public Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_rows.ContainsKey(credential.CompanyId))
            {
                return Task.FromResult(false);
            }

            var entry = audit is null ? null : AuditEntry.Chain(_head, audit);
            _rows.Add(credential.CompanyId, credential);
            Append(entry);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_rows.TryGetValue(credential.CompanyId, out var current) || current.RowVersion != expectedRowVersion)
            {
                return Task.FromResult(false);
            }

            var entry = audit is null ? null : AuditEntry.Chain(_head, audit);
            _rows[credential.CompanyId] = credential;
            Append(entry);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_rows.TryGetValue(companyId, out var current) || current.RowVersion != expectedRowVersion)
            {
                return Task.FromResult(false);
            }

            var entry = audit is null ? null : AuditEntry.Chain(_head, audit);
            _rows.Remove(companyId);
            _leases.Remove(companyId);
            Append(entry);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task<AuditEntry> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var entry = AuditEntry.Chain(_head, audit);
            Append(entry);
            return Task.FromResult(entry);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Entries are appended in sequence order: the page starts at a binary search, not a scan of the whole trail.
            int low = 0, high = _audit.Count;
            while (low < high)
            {
                var mid = (low + high) / 2;
                if (_audit[mid].Sequence <= afterSequence)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            IReadOnlyList<AuditEntry> page = _audit.GetRange(low, Math.Min(limit, _audit.Count - low));
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc/>
    public Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_head);
        }
    }

    /// <inheritdoc/>
    public Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_rows.TryGetValue(companyId, out var row))
            {
                return Task.FromResult<StoredCredential?>(null);
            }

            if (_leases.TryGetValue(companyId, out var lease) && lease.Owner != owner && lease.ExpiresAt > now)
            {
                return Task.FromResult<StoredCredential?>(null);
            }

            _leases[companyId] = (owner, expiresAt);
            return Task.FromResult<StoredCredential?>(row);
        }
    }

    /// <inheritdoc/>
    public Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(tokens);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (releaseLeaseOf is not null && _leases.TryGetValue(companyId, out var lease) && lease.Owner == releaseLeaseOf)
            {
                _leases.Remove(companyId);
            }

            if (!_rows.TryGetValue(companyId, out var row) || row.Version != version)
            {
                return Task.FromResult(false);
            }

            _rows[companyId] = tokens.ApplyTo(row) with { RowVersion = row.RowVersion + 1 };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_leases.TryGetValue(companyId, out var lease) && lease.Owner == owner)
            {
                _leases.Remove(companyId);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>For tests: replaces the whole trail and moves the head to its last entry.</summary>
    /// <param name="entries">The new trail.</param>
    internal void ReplaceAuditTrail(IEnumerable<AuditEntry> entries)
    {
        lock (_gate)
        {
            _audit.Clear();
            _audit.AddRange(entries);
            _head = _audit.Count == 0 ? null : new AuditHead(_audit[^1].Sequence, _audit[^1].Hash);
            KeepInSequenceOrder();
        }
    }

    /// <summary>Test hook: runs <paramref name="tamper"/> on the raw audit list, as someone with write access to storage could.</summary>
    internal void TamperWithAudit(Action<List<AuditEntry>> tamper)
    {
        lock (_gate)
        {
            tamper(_audit);
            KeepInSequenceOrder();
        }
    }

    /// <summary>Reads page by binary search need the trail in sequence order, as storage returns it (stable for equal sequences).</summary>
    private void KeepInSequenceOrder()
    {
        var ordered = _audit.OrderBy(e => e.Sequence).ToList();
        _audit.Clear();
        _audit.AddRange(ordered);
    }

    private void Append(AuditEntry? entry)
    {
        if (entry is not null)
        {
            _audit.Add(entry);
            _head = new AuditHead(entry.Sequence, entry.Hash);
        }
    }

    /// <inheritdoc/>
    public Task<bool> TryClaimReminderAsync(ReminderClaim claim, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var key = (claim.CompanyId, claim.CredentialVersion, claim.SecretName, claim.Threshold);
            if (_reminders.TryGetValue(key, out var held) && (held.Delivered || held.LeaseUntil > now))
            {
                return Task.FromResult(false);
            }

            _reminders[key] = (claim.Claimant, leaseUntil, false);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task CompleteReminderAsync(ReminderClaim claim, bool delivered, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var key = (claim.CompanyId, claim.CredentialVersion, claim.SecretName, claim.Threshold);
            if (_reminders.TryGetValue(key, out var held) && held.Claimant == claim.Claimant && !held.Delivered)
            {
                _reminders[key] = delivered ? (held.Claimant, held.LeaseUntil, true) : (held.Claimant, now, false);
            }

            return Task.CompletedTask;
        }
    }
}
