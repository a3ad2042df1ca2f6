using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The token path's way into credential storage: read a company's credentials with their secrets opened, store and
/// clear tokens, record connection tests, and take the cross-process lease on a token request. Sensitive: for the
/// library's own token path (<see cref="AccessTokenCache"/>) only.
/// </summary>
/// <remarks>
/// Kept apart from <see cref="CredentialStore"/>, the public admin API, so that the one place that opens secrets for
/// sending is small and easy to review, and the admin API carries no hidden members. None of these writes is a
/// credential change: they need no multi-factor proof, are not audited, and raise no
/// <see cref="CredentialStore.CredentialsChanged"/>. Each write lands only while the credentials are still at the
/// version the caller read, so a result obtained with old credentials never lands on new ones.
/// </remarks>
internal sealed class TokenPathGateway
{
    /// <summary>Audit entries read per query when looking for changed credentials.</summary>
    private const int ChangePageSize = 1000;

    private readonly ICredentialRepository _repository;
    private readonly ITokenLeaseRepository _leases;
    private readonly IAuditTrailRepository _auditTrail;
    private readonly CredentialKindRegistry _kinds;
    private readonly CredentialVault _vault;
    private readonly CredentialRowAccess _rows;
    private readonly ILogger _logger;

    /// <param name="repository">Where credentials are stored.</param>
    /// <param name="leases">Where the token lease is kept.</param>
    /// <param name="auditTrail">The audit trail, read as the record of every credential change.</param>
    /// <param name="kinds">The registered credential kinds.</param>
    /// <param name="acceptLegacySeals">Whether destination seals older than version 3 are accepted (<see cref="CredentialStoreOptions.AcceptLegacyDestinationSeals"/>).</param>
    /// <param name="vault">Opens and seals secrets.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">
    /// The <see cref="CredentialStore"/>'s logger: the token path's storage events (an envelope that does not open, a
    /// destination that fails its check, a write conflict) keep the category they have always been logged under, so
    /// hosts' log filters still apply.
    /// </param>
    public TokenPathGateway(
        ICredentialRepository repository, ITokenLeaseRepository leases, IAuditTrailRepository auditTrail, CredentialKindRegistry kinds, CredentialVault vault, TimeProvider timeProvider, ILogger<CredentialStore> logger, bool acceptLegacySeals = true)
    {
        _repository = repository;
        _leases = leases;
        _auditTrail = auditTrail;
        _kinds = kinds;
        _vault = vault;
        _logger = logger;
        _rows = new CredentialRowAccess(repository, vault, timeProvider, logger, acceptLegacySeals);
    }

    /// <summary>Reads a company's credentials with their secrets opened, once their destination passed its check.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="previous">
    /// The company's credentials as last read, if any: envelopes that are byte for byte the same are not opened again,
    /// and a destination and seal that are the same are not checked again (they were).
    /// </param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="CredentialVaultException">An envelope cannot be opened, or the destination failed its check.</exception>
    public async Task<TransmissionCredentials?> GetCredentialsAsync(string companyId, TransmissionCredentials? previous, CancellationToken cancellationToken)
    {
        var row = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : await OpenAsync(row, previous, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="GetCredentialsAsync(string, TransmissionCredentials?, CancellationToken)"/>
    public Task<TransmissionCredentials?> GetCredentialsAsync(string companyId, CancellationToken cancellationToken)
        => GetCredentialsAsync(companyId, null, cancellationToken);

    /// <summary>Where the audit trail ends now: its head, the position to read changes after with <see cref="ReadChangedCompaniesAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<AuditPosition> GetChangePositionAsync(CancellationToken cancellationToken)
        => (await _auditTrail.GetAuditHeadAsync(cancellationToken).ConfigureAwait(false)) is { } head ? new(head.Sequence, head.Hash) : default;

    /// <summary>
    /// Whether the trail whose head is <paramref name="head"/> still holds the entry at <paramref name="position"/>, as
    /// it was read: not when the head went back (a restored backup) or that entry changed (a rewrite in storage).
    /// </summary>
    /// <param name="position">The last entry read.</param>
    /// <param name="head">The head now.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<bool> IsInTrailAsync(AuditPosition position, AuditPosition head, CancellationToken cancellationToken)
    {
        if (head.Sequence < position.Sequence)
        {
            return false;
        }

        if (position.Sequence == 0)
        {
            return true;
        }

        var entry = (await _auditTrail.ReadAuditAsync(position.Sequence - 1, 1, cancellationToken).ConfigureAwait(false)) is [var first] ? first : null;
        return entry is not null && entry.Sequence == position.Sequence && string.Equals(entry.Hash, position.Hash, StringComparison.Ordinal);
    }

    /// <summary>
    /// One page of the companies whose credentials were created, changed or deleted after <paramref name="position"/>, up
    /// to <paramref name="upTo"/> (the head: an entry beyond it is not part of the chain), and the position after it.
    /// </summary>
    /// <remarks>
    /// Every credential change is written together with its audit entry, in one transaction, and appends are serialised
    /// on the chain's head (<see cref="IAuditTrailRepository"/>): entries become visible in sequence order, each with
    /// the change it records, so reading past a position misses none. Refused attempts changed nothing and are skipped.
    /// </remarks>
    /// <param name="position">The last entry read.</param>
    /// <param name="upTo">The head's sequence number.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task<(IReadOnlyCollection<string> Companies, AuditPosition Next)> ReadChangedCompaniesAsync(AuditPosition position, long upTo, CancellationToken cancellationToken)
    {
        var companies = new HashSet<string>(StringComparer.Ordinal);
        var next = position;
        foreach (var entry in await _auditTrail.ReadAuditAsync(position.Sequence, ChangePageSize, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Sequence > upTo)
            {
                break;
            }

            if (entry is { CompanyId: { } companyId, Outcome: AuditOutcome.Succeeded })
            {
                companies.Add(companyId);
            }

            next = new AuditPosition(entry.Sequence, entry.Hash);
        }

        return (companies, next);
    }

    /// <summary>
    /// Takes the short cross-process lease on a company's token request and returns its credentials as they are at that
    /// moment (one round trip), or <see langword="null"/> when another process holds the lease or the row is gone.
    /// </summary>
    /// <exception cref="CredentialVaultException">An envelope cannot be opened, or the destination failed its check.</exception>
    public async Task<TransmissionCredentials?> TryAcquireTokenLeaseAsync(
        string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, TransmissionCredentials? previous, CancellationToken cancellationToken)
    {
        var row = await _leases.TryAcquireLeaseAsync(companyId, owner, now, expiresAt, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        try
        {
            return await OpenAsync(row, previous, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _leases.ReleaseLeaseAsync(companyId, owner, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<TransmissionCredentials> OpenAsync(StoredCredential row, TransmissionCredentials? previous, CancellationToken cancellationToken)
    {
        var companyId = row.CompanyId;
        var kind = _kinds.Find(row.Kind)
            ?? throw OAuthTokenException.Permanent(
                companyId, OAuthTokenException.CredentialsUnreadable, $"the credentials are of kind '{row.Kind}', which is not registered in this host (AddCredentialKind)");
        // The last read's row was checked: a row that is the same — kind, environment, every setting, every secret
        // envelope and the seal, compared as values, never through an encoding — needs no second check.
        var known = previous?.Source is { } source && SameDestination(source, row) ? source : null;
        if (known is null)
        {
            await _rows.EnsureDestinationIsSealedAsync(row, cancellationToken).ConfigureAwait(false);
        }

        // Only the secrets the kind declares are opened: one it does not use (left by a change of kind) stays sealed.
        var secrets = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        foreach (var (name, envelope) in row.Secrets)
        {
            if (kind.FindField(name, isSecret: true) is not null)
            {
                secrets[name] = known is not null && known.Secrets.TryGetValue(name, out var same) && SameBytes(same, envelope) && previous!.Values.Secrets.TryGetValue(name, out var opened)
                    ? opened
                    : (await OpenOrNullAsync(row, envelope, SecretFields.Envelope(name), cancellationToken).ConfigureAwait(false))!;
            }
        }

        var values = new CredentialValues(row.CompanyId, CredentialRules.ParseEnvironment(row.Environment), row.Settings, secrets);
        var accessToken = known is not null && SameBytes(known.AccessToken, row.AccessToken) ? previous!.AccessToken
            : await OpenOrNullAsync(row, row.AccessToken, SecretFields.AccessToken, cancellationToken).ConfigureAwait(false);
        var refreshToken = known is not null && SameBytes(known.RefreshToken, row.RefreshToken) ? previous!.RefreshToken
            : await OpenOrNullAsync(row, row.RefreshToken, SecretFields.RefreshToken, cancellationToken).ConfigureAwait(false);
        return new TransmissionCredentials
        {
            Kind = kind,
            Values = values,
            Version = row.Version,
            ApiEndpoint = kind.GetApiEndpoint(values),
            AccessToken = accessToken,
            RefreshToken = refreshToken,
            AccessTokenExpiresAt = row.AccessTokenExpiresAt,
            AccessTokenRefreshAt = row.AccessTokenRefreshAt,
            Source = row,
        };
    }

    /// <summary>
    /// The credentials the row's staged values would make (<see cref="CredentialStore.StagedPrefix"/>): the current ones
    /// with every staged setting and secret in place of its current value, for a connection test before promotion.
    /// The destination seal is checked first, as for the current credentials.
    /// </summary>
    /// <exception cref="CredentialVaultException">The destination failed its check, or an envelope does not open.</exception>
    public async Task<TransmissionCredentials> OpenStagedAsync(StoredCredential row, CancellationToken cancellationToken)
    {
        var current = await OpenAsync(row, null, cancellationToken).ConfigureAwait(false);
        var settings = row.Settings.Where(static s => !CredentialStore.IsStaged(s.Key)).ToDictionary(StringComparer.Ordinal);
        var secrets = new Dictionary<string, SecretValue>(StringComparer.Ordinal);
        foreach (var name in current.Values.SecretNames)
        {
            if (current.Values.GetSecret(name) is { } value)
            {
                secrets[name] = value;
            }
        }

        foreach (var (name, value) in row.Settings.Where(static s => CredentialStore.IsStaged(s.Key)))
        {
            settings[name[CredentialStore.StagedPrefix.Length..]] = value;
        }

        foreach (var (name, envelope) in row.Secrets.Where(static s => CredentialStore.IsStaged(s.Key)))
        {
            secrets[name[CredentialStore.StagedPrefix.Length..]] = await _vault.OpenSecretAsync(envelope, row.CompanyId, SecretFields.Envelope(name), cancellationToken).ConfigureAwait(false);
        }

        var values = new CredentialValues(row.CompanyId, current.Environment, settings, secrets);
        return current with { Values = values, ApiEndpoint = current.Kind.GetApiEndpoint(values), AccessToken = null, RefreshToken = null, AccessTokenExpiresAt = null, AccessTokenRefreshAt = null, Source = null };
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static bool SameDestination(StoredCredential known, StoredCredential row)
        => known.CompanyId == row.CompanyId
            && known.Kind == row.Kind
            && known.Environment == row.Environment
            && SameBytes(known.DestinationSeal, row.DestinationSeal)
            && known.Settings.Count == row.Settings.Count
            && known.Settings.All(s => row.Settings.TryGetValue(s.Key, out var value) && value == s.Value)
            && known.Secrets.Count == row.Secrets.Count
            && known.Secrets.All(s => row.Secrets.TryGetValue(s.Key, out var envelope) && SameBytes(envelope, s.Value));

    /// <summary>
    /// Stores freshly acquired tokens, sealed, if the credentials are still at <paramref name="version"/>, and releases the
    /// lease of <paramref name="releaseLeaseOf"/> in the same write.
    /// </summary>
    public async Task<bool> SaveTokensAsync(
        string companyId, long version, SecretValue accessToken, SecretValue? refreshToken, DateTimeOffset expiresAt, DateTimeOffset refreshAt, string? releaseLeaseOf, string? servingSecretName, DateTimeOffset? refreshTokenExpiresAt, CancellationToken cancellationToken)
        => await _leases.SaveTokensAsync(
            companyId,
            version,
            new TokenUpdate
            {
                AccessToken = await _vault.SealSecretAsync(accessToken, companyId, SecretFields.AccessToken, cancellationToken).ConfigureAwait(false),
                RefreshToken = refreshToken is null ? null : await _vault.SealSecretAsync(refreshToken, companyId, SecretFields.RefreshToken, cancellationToken).ConfigureAwait(false),
                AccessTokenExpiresAt = AuditChain.TruncateToMilliseconds(expiresAt),
                AccessTokenRefreshAt = AuditChain.TruncateToMilliseconds(refreshAt),
                ServingSecretName = servingSecretName,
                RefreshTokenExpiresAt = refreshToken is null || refreshTokenExpiresAt is not { } refreshExpiry ? null : AuditChain.TruncateToMilliseconds(refreshExpiry),
                IsValid = true,
                ValidatedAt = _rows.Now(),
            },
            releaseLeaseOf,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Stores freshly acquired tokens (<see cref="SaveTokensAsync(string, long, SecretValue, SecretValue?, DateTimeOffset, DateTimeOffset, string?, string?, DateTimeOffset?, CancellationToken)"/>) holding no lease.</summary>
    public Task<bool> SaveTokensAsync(string companyId, long version, SecretValue accessToken, SecretValue? refreshToken, DateTimeOffset expiresAt, DateTimeOffset refreshAt, CancellationToken cancellationToken)
        => SaveTokensAsync(companyId, version, accessToken, refreshToken, expiresAt, refreshAt, null, null, null, cancellationToken);

    /// <summary>
    /// Removes cached tokens if the credentials are still at <paramref name="version"/>; optionally marks them as not
    /// working; releases the lease of <paramref name="releaseLeaseOf"/> in the same write.
    /// </summary>
    public Task<bool> ClearTokensAsync(string companyId, long version, bool markInvalid, string? releaseLeaseOf, CancellationToken cancellationToken)
        => _leases.SaveTokensAsync(
            companyId,
            version,
            new TokenUpdate { IsValid = markInvalid ? false : null, ValidatedAt = markInvalid ? _rows.Now() : null },
            releaseLeaseOf,
            cancellationToken);

    /// <summary>Removes cached tokens holding no lease (<see cref="ClearTokensAsync(string, long, bool, string?, CancellationToken)"/>).</summary>
    public Task<bool> ClearTokensAsync(string companyId, long version, bool markInvalid, CancellationToken cancellationToken)
        => ClearTokensAsync(companyId, version, markInvalid, null, cancellationToken);

    /// <summary>
    /// Records a connection test if the credentials are still at <paramref name="version"/>, scrubbing secrets from its
    /// error. <paramref name="changesValidity"/> is false for a failure that says nothing about the credentials (network,
    /// timeout, server error, redirect): it is recorded, and <see cref="CredentialStatus.IsValid"/> stays as it was.
    /// </summary>
    public Task<bool> RecordConnectionTestAsync(string companyId, long version, ConnectionTestResult result, IEnumerable<SecretValue> secrets, bool changesValidity, CancellationToken cancellationToken)
    {
        var error = SecretScrubber.Scrub(result.Error, secrets);
        var testedAt = AuditChain.TruncateToMilliseconds(result.TestedAt);
        return _rows.MutateAtVersionAsync(
            companyId,
            version,
            row => row with
            {
                LastTestAt = testedAt,
                LastTestSucceeded = result.Succeeded,
                LastTestError = error,
                IsValid = changesValidity ? result.Succeeded : row.IsValid,
                LastValidatedAt = changesValidity ? testedAt : row.LastValidatedAt,
            },
            cancellationToken);
    }

    /// <summary>Releases the lease taken by <see cref="TryAcquireTokenLeaseAsync"/>.</summary>
    public Task ReleaseTokenLeaseAsync(string companyId, string owner, CancellationToken cancellationToken)
        => _leases.ReleaseLeaseAsync(companyId, owner, cancellationToken);

    /// <summary>Opens one envelope of the row; a failure is logged with the field it concerns, never with its value.</summary>
    private async Task<SecretValue?> OpenOrNullAsync(StoredCredential row, byte[]? envelope, string field, CancellationToken cancellationToken)
    {
        if (envelope is null)
        {
            return null;
        }

        try
        {
            return await _vault.OpenSecretAsync(envelope, row.CompanyId, field, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialVaultException ex)
        {
            _logger.EnvelopeCannotBeOpened(row.CompanyId, field, ex);
            throw;
        }
    }
}
