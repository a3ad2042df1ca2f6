using System.Runtime.ExceptionServices;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Keeps each company's transmission credentials: sealed by the <see cref="CredentialVault"/>, changed only with a
/// recent multi-factor proof, every change (and every refused change) written to a hash-chained audit trail.
/// </summary>
/// <remarks>
/// Secrets go in as <see cref="SecretValue"/>s and never come out: <see cref="GetStatusAsync"/> reports only whether
/// they are present. The store is a thread-safe singleton; storage is the <see cref="ICredentialRepository"/> and the
/// <see cref="IAuditTrailRepository"/> the host chose.
/// </remarks>
public sealed partial class CredentialStore
{
    private const int AuditPageSize = 500;
    private const int MaxAuditVerificationAttempts = 3;
    private const string DefaultRotationActor = "key-rotation";
    private static readonly TimeSpan MfaClockSkew = TimeSpan.FromMinutes(1);

    private readonly ICredentialRepository _repository;
    private readonly IAuditTrailRepository _auditTrail;
    private readonly CredentialVault _vault;
    private readonly IMfaVerifier _mfaVerifier;
    private readonly CredentialStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CredentialRowAccess _rows;
    private readonly CredentialKindRegistry _kinds;

    /// <summary>Creates the store. Hosts normally resolve it from dependency injection instead.</summary>
    /// <param name="repository">Where credentials are stored; each credential write appends its audit entry in the same transaction.</param>
    /// <param name="auditTrail">Where the audit trail is read from and where entries on their own (refused changes) are appended.</param>
    /// <param name="vault">Seals and opens secrets.</param>
    /// <param name="kinds">The credential kinds credentials may be of; names must be unique.</param>
    /// <param name="mfaVerifier">Confirms the multi-factor proofs of changes.</param>
    /// <param name="options">The store's options.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger; it never receives a secret.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Two kinds have the same name.</exception>
    public CredentialStore(
        ICredentialRepository repository,
        IAuditTrailRepository auditTrail,
        CredentialVault vault,
        IEnumerable<CredentialKind> kinds,
        IMfaVerifier mfaVerifier,
        IOptions<CredentialStoreOptions> options,
        TimeProvider timeProvider,
        ILogger<CredentialStore> logger)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(auditTrail);
        ArgumentNullException.ThrowIfNull(vault);
        ArgumentNullException.ThrowIfNull(kinds);
        ArgumentNullException.ThrowIfNull(mfaVerifier);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        _repository = repository;
        _auditTrail = auditTrail;
        _vault = vault;
        _mfaVerifier = mfaVerifier;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _rows = new CredentialRowAccess(repository, vault, timeProvider, logger, _options.AcceptLegacyDestinationSeals);
        _kinds = new CredentialKindRegistry(kinds);
    }

    /// <summary>The registered kinds, shared with the token path so that both sides know the same ones.</summary>
    internal CredentialKindRegistry Kinds => _kinds;

    /// <summary>Raised after a company's credentials changed or were deleted in this process, with the company id.</summary>
    internal event Action<string>? CredentialsChanged;

    /// <summary>Reads what may be shown about a company's credentials.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The status, or <see langword="null"/> when the company has no credentials.</returns>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> is not a valid company id.</exception>
    public async Task<CredentialStatus?> GetStatusAsync(string companyId, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        var row = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToStatus(row, await _rows.CheckDestinationAsync(row, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Reads what may be shown about the credentials of many companies, a page at a time in ordinal order of company id
    /// (an operator's list, an admin UI's table): one storage round trip per page instead of one per company.
    /// </summary>
    /// <param name="afterCompanyId">Read companies after this one; <see langword="null"/> to start at the beginning.</param>
    /// <param name="limit">The largest number of statuses to return, 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="limit"/> statuses, each as <see cref="GetStatusAsync"/> gives it; fewer than <paramref name="limit"/> on the last page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    public async Task<IReadOnlyList<CredentialStatus>> ListStatusesAsync(string? afterCompanyId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        var rows = await _repository.ListAsync(afterCompanyId, limit, cancellationToken).ConfigureAwait(false);
        var statuses = new List<CredentialStatus>(rows.Count);
        foreach (var row in rows)
        {
            statuses.Add(ToStatus(row, await _rows.CheckDestinationAsync(row, cancellationToken).ConfigureAwait(false)));
        }

        return statuses;
    }

    /// <summary>
    /// Creates a company's credentials, or changes the fields that <paramref name="update"/> sets and keeps every other
    /// one, secrets included. Requires a recent multi-factor proof; the change is audited with the names of the
    /// fields it changed.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="update">The fields to set.</param>
    /// <param name="context">Who is acting, with their multi-factor proof.</param>
    /// <param name="cancellationToken">Cancels the change; a change is stored entirely or not at all.</param>
    /// <returns>The status after the change.</returns>
    /// <remarks>
    /// The change is validated completely — the update, then the row it would produce — before the multi-factor
    /// verifier is asked, so a proof is never used up by a change that is refused anyway. When the stored destination
    /// failed its integrity check (<see cref="CredentialStatus.IsDestinationIntact"/>), only an update that sets
    /// <see cref="CredentialUpdate.Kind"/> and <see cref="CredentialUpdate.Environment"/> is accepted: it replaces the
    /// whole destination, settings it does not set are cleared (secrets are kept), and it is audited as
    /// <see cref="AuditAction.DestinationReset"/> naming the fields that had been changed.
    /// </remarks>
    /// <exception cref="ArgumentException">The company id or a field of <paramref name="update"/> is not valid, the kind is not registered, a field the kind requires is missing, or the stored destination failed its check and the update does not replace it.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialChangeRefusedException">The multi-factor proof is missing, rejected, too old or dated in the future. Nothing was stored; the refusal was audited.</exception>
    /// <exception cref="CredentialConcurrencyException">The stored version is not <see cref="CredentialUpdate.ExpectedVersion"/>, or the row kept changing under heavy contention. Nothing was stored.</exception>
    public async Task<CredentialStatus> SetAsync(string companyId, CredentialUpdate update, CredentialChangeContext context, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(context);
        CredentialRules.ValidateUpdateShape(update);
        if (update.Kind is not null)
        {
            _kinds.Get(update.Kind, nameof(update));
        }

        // Sealed once, after the first validation and outside the retry loop: an envelope depends on its company and
        // field, not on the row.
        IReadOnlyDictionary<string, byte[]?>? sealedSecrets = null;
        async Task<IReadOnlyDictionary<string, byte[]?>> SealSecretsAsync()
        {
            if (sealedSecrets is null)
            {
                var sealedNow = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
                foreach (var (name, value) in update.Secrets)
                {
                    sealedNow[name] = value is null ? null : await _vault.SealSecretAsync(value, companyId, SecretFields.Envelope(name), cancellationToken).ConfigureAwait(false);
                }

                sealedSecrets = sealedNow;
            }

            return sealedSecrets;
        }

        var existing = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        var change = await PlanChangeAsync(companyId, existing, update, SealSecretsAsync, context.Actor, cancellationToken).ConfigureAwait(false);
        await EnsureMfaAsync(companyId, change.Action, context, change.Fields, cancellationToken).ConfigureAwait(false);

        using var auditKey = _vault.CreateAuditKey();
        for (var attempt = 1; ; attempt++)
        {
            if (change.Fields.Count == 0)
            {
                // Nothing to change, and the stored destination is intact (a reset always names fields).
                return ToStatus(existing!, DestinationCheck.Intact);
            }

            var merged = change.Row with { DestinationSeal = await _vault.SealAsync(CredentialDestination.Encode(change.Row), companyId, SecretFields.Destination, cancellationToken).ConfigureAwait(false) };
            var audit = new AuditEvent
            {
                Timestamp = merged.ConfiguredAt,
                CompanyId = companyId,
                Action = change.Action,
                Actor = context.Actor,
                Outcome = AuditOutcome.Succeeded,
                Fields = change.Fields,
                MfaMethod = context.MfaProof?.Method,
                Detail = change.Detail,
                Key = auditKey,
            };

            var expectedRowVersion = existing?.RowVersion;
            var written = await WriteAsync(
                companyId,
                () => expectedRowVersion is { } rowVersion
                    ? _repository.UpdateAsync(merged, rowVersion, audit, cancellationToken)
                    : _repository.InsertAsync(merged, audit, cancellationToken)).ConfigureAwait(false);
            if (written)
            {
                _logger.CredentialsChanged(companyId, change.Action, context.Actor, change.Fields);
                CredentialsChanged?.Invoke(companyId);
                return ToStatus(merged, DestinationCheck.Intact);
            }

            existing = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
            if (attempt == CredentialRowAccess.MaxWriteAttempts)
            {
                throw new CredentialConcurrencyException(companyId, update.ExpectedVersion, existing?.Version ?? 0);
            }

            _logger.CredentialWriteConflict(companyId, attempt);

            // The row changed under us: the same update, applied to what is stored now, checked again in full. The
            // proof approved one change — an action on a kind and environment, naming these fields — another one
            // needs its own approval.
            var replanned = await PlanChangeAsync(companyId, existing, update, SealSecretsAsync, context.Actor, cancellationToken).ConfigureAwait(false);
            if (replanned.Action != change.Action || replanned.Row.Kind != change.Row.Kind
                || !string.Equals(replanned.Row.Environment, change.Row.Environment, StringComparison.OrdinalIgnoreCase)
                || !replanned.Fields.SequenceEqual(change.Fields, StringComparer.Ordinal))
            {
                throw new CredentialConcurrencyException(companyId, update.ExpectedVersion, existing?.Version ?? 0);
            }

            change = replanned;
        }
    }

    /// <summary>Deletes a company's credentials and cached tokens. Requires a recent multi-factor proof and is audited.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="context">Who is acting, with their multi-factor proof.</param>
    /// <param name="expectedVersion">The version the caller last saw, or <see langword="null"/> to delete whatever is stored.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns><see langword="true"/> when credentials were deleted; <see langword="false"/> when the company had none.</returns>
    /// <remarks>A row whose destination failed its integrity check can be deleted; the audit entry says so.</remarks>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> is not a valid company id.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="CredentialChangeRefusedException">The multi-factor proof is missing, rejected, too old or dated in the future. Nothing was deleted; the refusal was audited.</exception>
    /// <exception cref="CredentialConcurrencyException">The stored version is not <paramref name="expectedVersion"/>.</exception>
    public async Task<bool> DeleteAsync(string companyId, CredentialChangeContext context, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion ?? 0, nameof(expectedVersion));

        var existing = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            CheckExpectedVersion(companyId, expectedVersion, existing);
        }

        await EnsureMfaAsync(companyId, AuditAction.CredentialsDeleted, context, [], cancellationToken).ConfigureAwait(false);

        using var auditKey = _vault.CreateAuditKey();
        for (var attempt = 1; ; attempt++)
        {
            if (existing is null)
            {
                return false;
            }

            CheckExpectedVersion(companyId, expectedVersion, existing);
            var check = await _rows.CheckDestinationAsync(existing, cancellationToken).ConfigureAwait(false);
            var audit = new AuditEvent
            {
                Timestamp = _rows.Now(),
                CompanyId = companyId,
                Action = AuditAction.CredentialsDeleted,
                Actor = context.Actor,
                Outcome = AuditOutcome.Succeeded,
                MfaMethod = context.MfaProof?.Method,
                Detail = check.IsIntact ? null : $"The stored destination had failed its integrity check: {DescribeFields(check.TamperedFields)}.",
                Key = auditKey,
            };

            var rowVersion = existing.RowVersion;
            if (await WriteAsync(companyId, () => _repository.DeleteAsync(companyId, rowVersion, audit, cancellationToken)).ConfigureAwait(false))
            {
                _logger.CredentialsDeleted(companyId, context.Actor);
                CredentialsChanged?.Invoke(companyId);
                return true;
            }

            if (attempt == CredentialRowAccess.MaxWriteAttempts)
            {
                throw new CredentialConcurrencyException(companyId, expectedVersion, existing.Version);
            }

            _logger.CredentialWriteConflict(companyId, attempt);
            existing = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a write of a company's credentials. A write that throws may still have committed (the connection was lost
    /// after the commit), so this process's cached tokens for the company are dropped either way: the next request
    /// reads storage again instead of sending a token obtained with credentials that may no longer be stored.
    /// </summary>
    private async Task<bool> WriteAsync(string companyId, Func<Task<bool>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch
        {
            CredentialsChanged?.Invoke(companyId);
            throw;
        }
    }

    /// <summary>
    /// Moves every stored envelope to the vault's active key-encryption key, in batches, without decrypting any
    /// secret. Safe to cancel at any point and to run again: each credential is rewritten atomically, and credentials
    /// already under the active key are skipped.
    /// </summary>
    /// <remarks>
    /// At the end it verifies the whole audit trail with the keys of the ring and, when it is intact, audits the
    /// rotation with an entry that vouches for every entry before it, so that they stay verifiable after the old key
    /// leaves the ring. Run it again, before removing the old key, if instances wrote under the old key afterwards.
    /// </remarks>
    /// <param name="actor">Who runs the rotation, recorded in the audit trail; <c>key-rotation</c> when <see langword="null"/>.</param>
    /// <param name="progress">Receives the counts after each batch.</param>
    /// <param name="cancellationToken">Stops the rotation between two credentials.</param>
    /// <returns>What was moved, and which companies could not be (their key is no longer in the ring).</returns>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is empty, longer than 256 characters or contains control characters.</exception>
    /// <exception cref="OperationCanceledException">The rotation was cancelled; every credential is intact, some moved and some not yet.</exception>
    public async Task<KeyRotationResult> RewrapAllAsync(string? actor = null, IProgress<KeyRotationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // The same rule as the actor of a change, checked before any work.
        actor = new CredentialChangeContext(actor ?? DefaultRotationActor, null).Actor;
        var activeKeyId = _vault.ActiveKeyId;
        var batchSize = _options.RotationBatchSize;
        string? after = null;
        long scanned = 0, rewrapped = 0;
        var failed = new List<string>();

        while (true)
        {
            var page = await _repository.ListAsync(after, batchSize, cancellationToken).ConfigureAwait(false);
            var updates = new List<CredentialRowUpdate>(page.Count);
            foreach (var row in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                scanned++;
                if (await IsDoneAsync(row).ConfigureAwait(false))
                {
                    continue;
                }

                try
                {
                    updates.Add(new CredentialRowUpdate(await RewrapAsync(row, cancellationToken).ConfigureAwait(false) with { RowVersion = row.RowVersion + 1 }, row.RowVersion));
                }
                catch (CredentialVaultException ex)
                {
                    Failed(row.CompanyId, ex);
                }
            }

            // The batch in one write (one commit where the storage has transactions); a row that changed since the page
            // was read (an admin edit, a token refresh) is read again and moved on its own.
            var changedMeanwhile = await _repository.UpdateManyAsync(updates, cancellationToken).ConfigureAwait(false);
            rewrapped += updates.Count - changedMeanwhile.Count;
            foreach (var companyId in changedMeanwhile)
            {
                try
                {
                    if (await _rows.MutateAsync(companyId, async current => await IsDoneAsync(current).ConfigureAwait(false) ? null : await RewrapAsync(current, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false))
                    {
                        rewrapped++;
                    }
                }
                catch (CredentialVaultException ex)
                {
                    Failed(companyId, ex);
                }
            }

            progress?.Report(new KeyRotationProgress(scanned, rewrapped));
            _logger.KeyRotationProgress(scanned, rewrapped, activeKeyId);
            if (page.Count < batchSize)
            {
                break;
            }

            after = page[^1].CompanyId;
        }

        // The rotation's entry vouches for every entry before it once the trail verified with the keys still in the
        // ring, so that the old key can leave the ring afterwards without leaving its entries unverifiable.
        var verifiedHead = await VerifiedHeadAsync(cancellationToken).ConfigureAwait(false);

        // Audited even if the caller cancels now: the rotation itself already happened.
        using var auditKey = _vault.CreateAuditKey();
        await _auditTrail.AppendAuditAsync(
            new AuditEvent
            {
                Timestamp = _rows.Now(),
                Action = AuditAction.KeysRotated,
                Actor = actor,
                Key = auditKey,
                VerifiedHead = verifiedHead,
                Outcome = AuditOutcome.Succeeded,
                Detail = $"{rewrapped} of {scanned} credentials moved to key {activeKeyId}; {failed.Count} could not be opened.",
            },
            CancellationToken.None).ConfigureAwait(false);
        _logger.KeyRotationCompleted(scanned, rewrapped, failed.Count, activeKeyId);
        return new KeyRotationResult(activeKeyId, scanned, rewrapped, failed);

        // Every envelope under the active key and a current seal: nothing to move.
        async Task<bool> IsDoneAsync(StoredCredential row) => IsUnderKey(row, activeKeyId) && !await HasLegacySealAsync(row, cancellationToken).ConfigureAwait(false);

        void Failed(string companyId, CredentialVaultException error)
        {
            failed.Add(companyId);
            _logger.KeyRotationFailedForCompany(companyId, activeKeyId, error);
        }
    }

    /// <summary>Reads audit entries in order.</summary>
    /// <param name="afterSequence">Read entries after this sequence number; 0 to start at the beginning.</param>
    /// <param name="limit">The largest number of entries to return, 1 to 10,000.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Up to <paramref name="limit"/> entries.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterSequence"/> is negative or <paramref name="limit"/> is out of range.</exception>
    public Task<IReadOnlyList<AuditEntry>> ReadAuditTrailAsync(long afterSequence = 0, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 10_000);
        return _auditTrail.ReadAuditAsync(afterSequence, limit, cancellationToken);
    }

    /// <summary>
    /// Checks the audit trail from the first entry to the head: every entry authenticated with the audit key it names,
    /// linked to the one before it, in order and without gaps, and ending at the recorded head. Reports the first entry
    /// that was changed, removed, reordered or forged.
    /// </summary>
    /// <param name="checkpoint">
    /// The entry count (and head hash) recorded after an earlier verification, kept outside the database; with it, a
    /// trail whose last entries were removed is reported as <see cref="AuditVerificationResult.IsTruncated"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The verification result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The checkpoint's entry count is negative.</exception>
    /// <remarks>
    /// Without the key-encryption keys, nobody can produce an entry that verifies. An entry that cannot be checked itself
    /// (its key id is no longer in the ring, or it was written by 0.1 without a key) is accepted only when a later
    /// vouching entry verifies — one <see cref="RewrapAllAsync"/> writes after verifying the whole trail — and reported
    /// as broken otherwise. docs/security.md lists what is and is not detected.
    /// </remarks>
    public async Task<AuditVerificationResult> VerifyAuditTrailAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint?.EntryCount ?? 0, nameof(checkpoint));
        return await VerifyAuditTrailAsync(checkpoint, unkeyedAreVouched: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the verification, again when entries were appended while it read (the head moved past what it read), so
    /// that a busy trail is not reported broken; logs the result once.
    /// </summary>
    private async Task<AuditVerificationResult> VerifyAuditTrailAsync(AuditCheckpoint? checkpoint, bool unkeyedAreVouched, CancellationToken cancellationToken)
    {
        using var keys = new AuditKeyCache(_vault);
        for (var attempt = 1; ; attempt++)
        {
            var (result, headMovedOn) = await VerifyAuditTrailOnceAsync(checkpoint, keys, unkeyedAreVouched, cancellationToken).ConfigureAwait(false);
            if (result.IsIntact || !headMovedOn || attempt == MaxAuditVerificationAttempts)
            {
                if (!result.IsIntact)
                {
                    _logger.AuditChainBroken(result.FirstBrokenSequence ?? 0, result.Problem!);
                }

                return result;
            }
        }
    }

    /// <summary>
    /// The verification itself. <paramref name="unkeyedAreVouched"/> accepts 0.1's unkeyed entries as they are: for the
    /// verification that precedes a vouching entry, which vouches for them from then on.
    /// </summary>
    private async Task<(AuditVerificationResult Result, bool HeadMovedOn)> VerifyAuditTrailOnceAsync(AuditCheckpoint? checkpoint, AuditKeyCache keys, bool unkeyedAreVouched, CancellationToken cancellationToken)
    {
        long expected = 1, count = 0, unkeyed = 0;

        // The first entry not yet vouched for: its key left the ring (or it has none), so only a later vouching entry
        // — written right after the store verified everything before it — can cover it. An ordinary entry cannot.
        long firstUnvouched = 0;
        string? unvouchedKeyId = null;
        var previousHash = AuditChain.GenesisHash;
        while (true)
        {
            var page = await _auditTrail.ReadAuditAsync(expected - 1, AuditPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                var problem = entry.Sequence != expected ? $"entry {expected} is missing or out of order"
                    : !string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal) ? "it does not link to the entry before it"
                    : !AuditChain.HashEquals(AuditChain.ComputeHash(entry), entry.Hash) ? "its content does not match its hash"
                    : null;

                // A skipped sequence number is a removed entry; any other mismatch is a changed (or reordered) one.
                var kind = entry.Sequence != expected ? AuditBreakKind.Missing : AuditBreakKind.Changed;
                if (problem is null && entry.KeyId is null)
                {
                    // Entries of 0.1 have no MAC: accepted only as the start of the trail, and only once a keyed entry
                    // after them vouches for them (else someone could rewrite the whole trail as unkeyed entries).
                    problem = unkeyed == count && entry.Mac is null ? null : "it has no audit key id, yet follows keyed entries";
                    if (problem is null && unkeyed++ == 0 && !unkeyedAreVouched)
                    {
                        firstUnvouched = expected;
                    }
                }
                else if (problem is null)
                {
                    switch (CheckMac(entry, keys))
                    {
                        case MacCheck.VouchesForEarlierEntries:
                            firstUnvouched = 0;
                            break;
                        case MacCheck.Mismatch:
                            problem = "its authentication code does not match: it was written without the audit key";
                            break;
                        case MacCheck.KeyNotInRing when firstUnvouched == 0:
                            firstUnvouched = expected;
                            unvouchedKeyId = entry.KeyId;
                            break;
                    }
                }

                if (problem is null && checkpoint is { HeadHash: { } recordedHead } && entry.Sequence == checkpoint.EntryCount
                    && !string.Equals(entry.Hash, recordedHead, StringComparison.Ordinal))
                {
                    problem = "it is not the entry recorded in the checkpoint: the trail was rewritten up to here";
                }

                if (problem is not null)
                {
                    return Broken(expected, count, problem, kind);
                }

                previousHash = entry.Hash;
                expected++;
                count++;
            }

            if (page.Count < AuditPageSize)
            {
                break;
            }
        }

        if (firstUnvouched != 0)
        {
            return Broken(
                firstUnvouched,
                count,
                unvouchedKeyId is null
                    ? "it was written before audit entries were keyed (0.1) and nothing vouches for it yet: compare the trail with a head hash recorded under 0.1 if you have one, then RewrapAllAsync vouches for it as it is now"
                    : $"its audit key '{(KeyEncryptionKeyRules.IsValidKeyId(unvouchedKeyId) ? unvouchedKeyId : "(malformed)")}' is not in the key ring, and no later entry vouches for it " +
                        "(RewrapAllAsync, run while that key was still in the ring, writes one that does)",
                AuditBreakKind.Unverifiable);
        }

        if (checkpoint is not null && count < checkpoint.EntryCount)
        {
            return Broken(count + 1, count, $"the trail ends at entry {count}, but the checkpoint recorded {checkpoint.EntryCount}: entries at the end were removed", AuditBreakKind.Truncated);
        }

        var head = await _auditTrail.GetAuditHeadAsync(cancellationToken).ConfigureAwait(false);
        var headSequence = head?.Sequence ?? 0;
        if (headSequence != count || !string.Equals(head?.Hash ?? AuditChain.GenesisHash, previousHash, StringComparison.Ordinal))
        {
            // Fewer entries than the head records: the first missing one. More: the first one past the head.
            // As many, but another hash: the last entry is not the one the head recorded.
            var first = headSequence > count ? count + 1 : headSequence < count ? headSequence + 1 : Math.Max(count, 1);
            return (Broken(first, count, "the trail does not end at the recorded head: entries were removed, added or rewritten", headSequence > count ? AuditBreakKind.Truncated : AuditBreakKind.Changed).Result, headSequence > count);
        }

        return (new AuditVerificationResult { IsIntact = true, EntryCount = count, HeadHash = previousHash, UnkeyedEntryCount = unkeyed }, false);

        (AuditVerificationResult Result, bool HeadMovedOn) Broken(long sequence, long read, string problem, AuditBreakKind kind)
        {
            return (new AuditVerificationResult
            {
                IsIntact = false,
                EntryCount = read,
                FirstBrokenSequence = sequence,
                Problem = problem,
                Break = kind,
                IsTruncated = kind == AuditBreakKind.Truncated,
                UnkeyedEntryCount = unkeyed,
            }, false);
        }
    }

    /// <summary>What a keyed entry's MAC says: forged, ordinary, vouching for every entry before it, or unknown (its key left the ring).</summary>
    private static MacCheck CheckMac(AuditEntry entry, AuditKeyCache keys)
    {
        var key = keys.Get(entry.KeyId!);
        return key is null ? MacCheck.KeyNotInRing
            : entry.Mac is not { } mac ? MacCheck.Mismatch
            : AuditChain.HashEquals(AuditChain.ComputeMac(entry.Hash, key, vouchesForEarlierEntries: false), mac) ? MacCheck.Valid
            : AuditChain.HashEquals(AuditChain.ComputeMac(entry.Hash, key, vouchesForEarlierEntries: true), mac) ? MacCheck.VouchesForEarlierEntries
            : MacCheck.Mismatch;
    }

    /// <summary>
    /// Verifies the whole trail with the keys of the ring and returns its head hash when it is intact, so that the next
    /// entry can vouch for it; <see langword="null"/> (with the break logged) otherwise, or when the caller gave up.
    /// </summary>
    private async Task<string?> VerifiedHeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await VerifyAuditTrailAsync(null, unkeyedAreVouched: true, cancellationToken).ConfigureAwait(false);
            return result.IsIntact ? result.HeadHash : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static bool IsUnderKey(StoredCredential row, string keyId)
    {
        foreach (var envelope in row.Secrets.Values)
        {
            if (CredentialVault.GetKeyId(envelope) != keyId)
            {
                return false;
            }
        }

        foreach (var envelope in (ReadOnlySpan<byte[]?>)[row.AccessToken, row.RefreshToken, row.DestinationSeal])
        {
            if (envelope is not null && CredentialVault.GetKeyId(envelope) != keyId)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Names fields for an audit entry's detail or a message: at most ten, so that it stays short whatever was planted.</summary>
    private static string DescribeFields(IReadOnlyList<string> fields)
        => fields.Count <= 10 ? string.Join(", ", fields) : $"{string.Join(", ", fields.Take(10))} and {fields.Count - 10} more";

    /// <summary>Whether the row's seal opens and is older than version 3: a rotation seals such a row again.</summary>
    private async Task<bool> HasLegacySealAsync(StoredCredential row, CancellationToken cancellationToken)
    {
        if (row.DestinationSeal is not { } seal)
        {
            return false;
        }

        try
        {
            return !CredentialDestination.IsCurrentVersion(await _vault.OpenAsync(seal, row.CompanyId, SecretFields.Destination, cancellationToken).ConfigureAwait(false));
        }
        catch (CredentialVaultException)
        {
            return false;
        }
    }

    private static void CheckExpectedVersion(string companyId, long? expectedVersion, StoredCredential? existing)
    {
        var actual = existing?.Version ?? 0;
        if (expectedVersion is { } expected && expected != actual)
        {
            throw new CredentialConcurrencyException(companyId, expectedVersion, actual);
        }
    }

    /// <summary>
    /// The row an update would store, the fields it changes and how it is audited; validated in full against the kind.
    /// Throws before anything is stored or any proof is used.
    /// </summary>
    private async Task<PlannedChange> PlanChangeAsync(
        string companyId, StoredCredential? existing, CredentialUpdate update, Func<Task<IReadOnlyDictionary<string, byte[]?>>> sealSecrets, string actor, CancellationToken cancellationToken)
    {
        CheckExpectedVersion(companyId, update.ExpectedVersion, existing);
        if (existing is null && (update.Kind is null || update.Environment is null))
        {
            throw new ArgumentException("CredentialUpdate.Kind and CredentialUpdate.Environment are required when a company's credentials are created.", nameof(update));
        }

        var check = existing is null ? DestinationCheck.Intact : await _rows.CheckDestinationAsync(existing, cancellationToken).ConfigureAwait(false);
        if (!check.IsIntact && (update.Kind is null || update.Environment is null))
        {
            // Nothing stored in the destination can be trusted: a partial update would adopt what someone else wrote
            // and seal it. Only a replacement of the whole destination, confirmed with MFA, is accepted.
            throw new ArgumentException(
                $"The stored destination of company '{companyId}' failed its integrity check ({DescribeFields(check.TamperedFields)}): it was changed " +
                "outside CredentialStore, or its seal is missing or cannot be opened. Replace it in one update that sets Kind, Environment and " +
                "every setting the credentials need; settings the update does not set are cleared.",
                nameof(update));
        }

        var kind = _kinds.Get(update.Kind ?? existing!.Kind, nameof(update));
        CredentialRules.ValidateFields(kind, update, _options.AllowHttpOnLoopback);

        PlannedChange change;
        var now = _rows.Now();
        if (check.IsIntact)
        {
            var (row, fields) = Merge(companyId, kind, existing, keepSettings: true, update, await sealSecrets().ConfigureAwait(false), actor, now);
            change = new PlannedChange(row, fields, existing is null ? AuditAction.CredentialsCreated : AuditAction.CredentialsUpdated, null);
        }
        else
        {
            // A secret the check found changed (or every secret, when the seal is missing or unreadable) is not kept
            // either: it may be an old one put back from a backup. The reset must set it again.
            // A kept secret keeps the expiry that was sealed with it, never the one in the column: the reset does not
            // name expiries it does not set, so adopting a planted date would re-seal it unseen.
            var suspect = existing! with
            {
                Secrets = existing.Secrets.Where(s => !check.TamperedFields.Contains(SecretFields.Audit(s.Key))).ToDictionary(StringComparer.Ordinal),
                SecretExpiries = CredentialDestination.AsSealed(existing, check.SealedDestination).SecretExpiries,
            };
            var (row, fields) = Merge(companyId, kind, suspect, keepSettings: false, update, await sealSecrets().ConfigureAwait(false), actor, now);

            // A reset names everything it sets and everything it clears: kind, environment, every field it sets (all
            // count as set, since the stored ones are not trusted) and every stored field it leaves out.
            foreach (var field in CredentialDestination.Mismatches(CredentialDestination.Encode(existing!), row).Prepend(SecretFields.Environment).Prepend(SecretFields.Kind))
            {
                if (!fields.Contains(field))
                {
                    fields.Add(field);
                }
            }

            change = new PlannedChange(row, fields, AuditAction.DestinationReset, $"The stored destination had failed its integrity check: {DescribeFields(check.TamperedFields)}.");
        }

        CredentialRules.ValidateRow(kind, change.Row, _options.AllowHttpOnLoopback, nameof(update));
        return change with { Fields = [.. change.Fields.Select(SecretFields.Audit).Distinct(StringComparer.Ordinal)] };
    }

    /// <summary>
    /// Applies an update to a row; returns the new row and the names of the fields that changed. Fields the kind does
    /// not declare (after a change of kind) are left out, and named; <paramref name="keepSettings"/> false starts from
    /// no settings at all (a reset).
    /// </summary>
    private static (StoredCredential Row, List<string> Fields) Merge(
        string companyId,
        CredentialKind kind,
        StoredCredential? existing,
        bool keepSettings,
        CredentialUpdate update,
        IReadOnlyDictionary<string, byte[]?> sealedSecrets,
        string actor,
        DateTimeOffset now)
    {
        var fields = new List<string>();
        void Changed(string field)
        {
            if (!fields.Contains(field))
            {
                fields.Add(field);
            }
        }

        if (existing is null || LegacyCredentialShape.Canonical(existing.Kind) != kind.Name)
        {
            Changed(SecretFields.Kind);
        }

        var environment = update.Environment?.Name ?? existing!.Environment;
        if (existing is null || !string.Equals(existing.Environment, environment, StringComparison.OrdinalIgnoreCase))
        {
            Changed(SecretFields.Environment);
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in (keepSettings ? existing?.Settings : null) ?? new Dictionary<string, string>())
        {
            if (kind.FindField(name, isSecret: false) is not null)
            {
                settings[name] = value;
            }
            else
            {
                Changed(name);
            }
        }

        foreach (var (name, value) in update.Settings)
        {
            if (value is null)
            {
                if (settings.Remove(name))
                {
                    Changed(name);
                }
            }
            else
            {
                if (existing is null || !settings.TryGetValue(name, out var current) || current != value)
                {
                    Changed(name);
                }

                settings[name] = value;
            }
        }

        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, envelope) in existing?.Secrets ?? new Dictionary<string, byte[]>())
        {
            if (kind.FindField(name, isSecret: true) is not null)
            {
                secrets[name] = envelope;
            }
            else
            {
                Changed(name);
            }
        }

        foreach (var (name, envelope) in sealedSecrets)
        {
            if (envelope is null)
            {
                if (secrets.Remove(name))
                {
                    Changed(name);
                }
            }
            else
            {
                // A secret that is set counts as changed: comparing would mean opening the stored one.
                secrets[name] = envelope;
                Changed(name);
            }
        }

        var expiries = MergeExpiries(kind, existing, update, secrets, Changed);
        var row = new StoredCredential
        {
            CompanyId = companyId,
            Kind = kind.Name,
            Environment = environment,
            Settings = settings,
            Secrets = secrets,
            SecretExpiries = expiries,

            // New credentials invalidate cached tokens and earlier validation results.
            ConfiguredAt = now,
            ConfiguredBy = actor,
            Version = (existing?.Version ?? 0) + 1,
            RowVersion = (existing?.RowVersion ?? 0) + 1,
        };

        return (row, fields);
    }

    /// <summary>
    /// The expiries of the secrets a merged row keeps: an expiry the update names, else (for a secret the update sets)
    /// the one its material states as the kind declares, else (for a secret kept as it was) the stored one. A changed
    /// expiry is named <c>expires.NAME</c> in the audit.
    /// </summary>
    private static Dictionary<string, DateTimeOffset> MergeExpiries(
        CredentialKind kind, StoredCredential? existing, CredentialUpdate update, Dictionary<string, byte[]> secrets, Action<string> changed)
    {
        foreach (var name in update.SecretExpiries.Keys)
        {
            if (kind.FindField(name, isSecret: true) is null)
            {
                throw new ArgumentException($"CredentialUpdate.SecretExpiries names '{SecretFields.Audit(name)}', which is not a secret of kind '{kind.Name}'.", nameof(update));
            }

            if (update.SecretExpiries[name] is not null && !secrets.ContainsKey(name))
            {
                throw new ArgumentException($"CredentialUpdate.SecretExpiries gives an expiry for '{SecretFields.Audit(name)}', which the credentials would not hold.", nameof(update));
            }
        }

        var expiries = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var name in secrets.Keys)
        {
            DateTimeOffset? expiresAt;
            if (update.SecretExpiries.TryGetValue(name, out var entered))
            {
                expiresAt = entered;
            }
            else if (update.Secrets.TryGetValue(name, out var secret) && secret is not null)
            {
                expiresAt = SecretExpiryReader.Read(kind.FindField(name, isSecret: true)!, secret);
            }
            else
            {
                expiresAt = existing?.SecretExpiries.TryGetValue(name, out var stored) == true ? stored : null;
            }

            if (expiresAt is { } value)
            {
                // Millisecond precision, as every repository keeps it, so that the seal matches what is read back.
                expiries[name] = AuditChain.TruncateToMilliseconds(value.ToUniversalTime());
            }
        }

        foreach (var name in expiries.Keys.Union(existing?.SecretExpiries.Keys ?? []))
        {
            DateTimeOffset? before = existing?.SecretExpiries.TryGetValue(name, out var b) == true ? b : null;
            DateTimeOffset? after = expiries.TryGetValue(name, out var a) ? a : null;
            if (before != after)
            {
                changed(ExpiryField(name));
            }
        }

        return expiries;
    }

    /// <summary>The name an expiry goes by in the audit and among tampered fields.</summary>
    internal static string ExpiryField(string secretName) => "expires." + secretName;

    private CredentialStatus ToStatus(StoredCredential stored, DestinationCheck check)
    {
        // A destination that failed its check is shown as it was sealed (or empty): an admin UI that fills its reset
        // form from the status must not offer back what someone planted in storage.
        var row = check.IsIntact ? stored : CredentialDestination.AsSealed(stored, check.SealedDestination);
        var kind = _kinds.Find(row.Kind);
        return new CredentialStatus
        {
            CompanyId = row.CompanyId,
            Kind = kind?.Name ?? row.Kind,
            Environment = CredentialRules.ParseEnvironment(row.Environment),
            IsConfigured = check.IsIntact && kind is not null && CredentialRules.IncompleteBecause(kind, row) is null,
            IsDestinationIntact = check.IsIntact,
            TamperedFields = check.ShownFields,
            IsValid = row.IsValid,
            LastValidatedAt = row.LastValidatedAt,
            LastConnectionTest = row.LastTestAt is { } testedAt ? new ConnectionTestResult(testedAt, row.LastTestSucceeded == true, row.LastTestError) : null,
            ConfiguredAt = row.ConfiguredAt,
            ConfiguredBy = row.ConfiguredBy,
            Version = row.Version,
            Settings = row.Settings.Where(static s => !IsStaged(s.Key)).ToDictionary(StringComparer.Ordinal),
            SecretNames = [.. row.Secrets.Keys.Where(static n => !IsStaged(n)).Order(StringComparer.Ordinal)],
            AccessTokenExpiresAt = row.AccessToken is null ? null : row.AccessTokenExpiresAt,
            SecretExpiries = row.SecretExpiries.Where(static e => !IsStaged(e.Key)).ToDictionary(StringComparer.Ordinal),
            StagedFields = StagedFields(stored),
            ServingSecretName = row.AccessToken is null ? null : row.ServingSecretName,
            RefreshTokenExpiresAt = row.RefreshToken is null ? null : row.RefreshTokenExpiresAt,
        };
    }

    internal async Task EnsureMfaAsync(string companyId, AuditAction action, CredentialChangeContext context, IReadOnlyList<string> fields, CancellationToken cancellationToken)
    {
        CredentialChangeRefusalReason? refusal = null;
        Exception? verifierFailure = null;
        if (context.MfaProof is not { } proof)
        {
            refusal = CredentialChangeRefusalReason.MfaMissing;
        }
        else
        {
            MfaVerificationResult? result = null;
            try
            {
                result = await _mfaVerifier.VerifyAsync(new MfaVerificationContext(context.Actor, proof, companyId, action, fields), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A verifier that fails has not approved anything: refused and audited like any refusal.
                verifierFailure = ex;
            }

            var age = _timeProvider.GetUtcNow() - result?.VerifiedAt;
            refusal = verifierFailure is not null ? CredentialChangeRefusalReason.MfaVerifierFailed
                : result is not { IsVerified: true, VerifiedAt: not null } ? CredentialChangeRefusalReason.MfaRejected
                : age < -MfaClockSkew ? CredentialChangeRefusalReason.MfaInFuture
                : age > _options.MfaMaxAge ? CredentialChangeRefusalReason.MfaExpired
                : null;
        }

        if (refusal is not { } reason)
        {
            return;
        }

        _logger.CredentialChangeRefused(companyId, context.Actor, action, reason);

        // A refusal is audited even when the caller gives up: cancelling must not hide an attempt.
        using (var auditKey = _vault.CreateAuditKey())
        {
            await _auditTrail.AppendAuditAsync(
                new AuditEvent
                {
                    Timestamp = _rows.Now(),
                    CompanyId = companyId,
                    Action = action,
                    Actor = context.Actor,
                    Outcome = AuditOutcome.Refused,
                    Fields = fields,
                    MfaMethod = context.MfaProof?.Method,
                    Detail = reason.ToString(),
                    Key = auditKey,
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        if (verifierFailure is not null)
        {
            ExceptionDispatchInfo.Throw(verifierFailure);
        }

        throw new CredentialChangeRefusedException(companyId, context.Actor, reason);
    }

    /// <summary>
    /// The row with every envelope under the active key. The destination seal binds the secret envelopes' digests, so
    /// it is sealed again for the rewrapped ones — only after the row passed its check: a rotation never seals what
    /// someone changed in storage.
    /// </summary>
    /// <exception cref="CredentialVaultException">An envelope cannot be opened, or the destination failed its check.</exception>
    private async Task<StoredCredential> RewrapAsync(StoredCredential row, CancellationToken cancellationToken)
    {
        await _rows.EnsureDestinationIsSealedAsync(row, cancellationToken).ConfigureAwait(false);
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, envelope) in row.Secrets)
        {
            secrets[name] = await _vault.RewrapAsync(envelope, row.CompanyId, SecretFields.Envelope(name), cancellationToken).ConfigureAwait(false);
        }

        var rewrapped = row with
        {
            Secrets = secrets,
            AccessToken = await RewrapOrNullAsync(row, row.AccessToken, SecretFields.AccessToken, cancellationToken).ConfigureAwait(false),
            RefreshToken = await RewrapOrNullAsync(row, row.RefreshToken, SecretFields.RefreshToken, cancellationToken).ConfigureAwait(false),
        };
        var seal = await _vault.SealAsync(CredentialDestination.Encode(rewrapped), row.CompanyId, SecretFields.Destination, cancellationToken).ConfigureAwait(false);
        return rewrapped with { DestinationSeal = seal };
    }

    private async Task<byte[]?> RewrapOrNullAsync(StoredCredential row, byte[]? envelope, string field, CancellationToken cancellationToken)
        => envelope is null ? null : await _vault.RewrapAsync(envelope, row.CompanyId, field, cancellationToken).ConfigureAwait(false);

    /// <summary>What <see cref="SetAsync"/> will write: the row, the fields it changes, and how the change is audited.</summary>
    private sealed record PlannedChange(StoredCredential Row, List<string> Fields, AuditAction Action, string? Detail);

    private enum MacCheck
    {
        KeyNotInRing,
        Mismatch,
        Valid,
        VouchesForEarlierEntries,
    }
}
