using System.Data.Common;
using Dapper;
using EInvoice.Transmission.Security.Dapper.Internal;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Dapper;

/// <summary>
/// Stores credentials, the audit trail, the token leases and the expiry reminder claims in SQLite or PostgreSQL through Dapper, over a <see cref="DbDataSource"/>.
/// </summary>
/// <remarks>
/// <para>
/// The schema is created and upgraded by versioned scripts shipped in this package, on first use or by calling
/// <see cref="MigrateAsync"/>; running the migrations twice, or from two processes at once, is safe.
/// </para>
/// <para>
/// Every statement is parameterised. Each operation opens its own connection from the data source (pooled by the
/// provider); the repository holds no connection and is a thread-safe singleton. A credential write and its audit
/// entry share one transaction, and audit appends are serialised on the chain's head row.
/// </para>
/// <para>
/// On Unix, a SQLite database file that does not exist yet is created readable and writable by its owner only (0600)
/// before SQLite first opens it; its <c>-wal</c> and <c>-shm</c> files get the same permissions. An existing file keeps
/// the permissions it has, with a warning (event 2003) when group or others may read it.
/// </para>
/// </remarks>
public sealed class DapperCredentialRepository : ICredentialRepository, IAuditTrailRepository, ITokenLeaseRepository, IReminderClaimRepository, IStorageSchemaCheck
{
    private const string Table = "eits_credentials";

    /// <summary>Replaces a row at its expected row version (every column but the company id and the token lease).</summary>
    private const string UpdateSql =
        $"""
        UPDATE {Table} SET
            kind = @Kind, environment = @Environment, settings = @Settings, secrets = @Secrets, secret_expiries = @SecretExpiries,
            access_token = @AccessToken, refresh_token = @RefreshToken, access_token_expires_at = @AccessTokenExpiresAt,
            access_token_refresh_at = @AccessTokenRefreshAt, serving_secret = @ServingSecretName, refresh_token_expires_at = @RefreshTokenExpiresAt, is_valid = @IsValid, last_validated_at = @LastValidatedAt, last_test_at = @LastTestAt,
            last_test_succeeded = @LastTestSucceeded, last_test_error = @LastTestError, destination_seal = @DestinationSeal,
            configured_at = @ConfiguredAt, configured_by = @ConfiguredBy, version = @Version, row_version = @RowVersion
        WHERE company_id = @CompanyId AND row_version = @ExpectedRowVersion
        """;

    private readonly DbDataSource _dataSource;
    private readonly SqlDialect? _fixedDialect;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _migrationGate = new();
    private Task? _migration;
    private volatile SqlDialect? _dialect;

    /// <summary>Creates the repository.</summary>
    /// <param name="dataSource">A SQLite (Microsoft.Data.Sqlite) or PostgreSQL (Npgsql) data source.</param>
    /// <param name="timeProvider">The clock, used to date migrations.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public DapperCredentialRepository(DbDataSource dataSource, TimeProvider timeProvider, ILogger<DapperCredentialRepository> logger)
        : this(dataSource, null, timeProvider, logger)
    {
    }

    /// <summary>With a fixed dialect, for data sources whose connections wrap the provider's (fault injection in tests).</summary>
    internal DapperCredentialRepository(DbDataSource dataSource, SqlDialect? dialect, TimeProvider timeProvider, ILogger<DapperCredentialRepository> logger)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _dataSource = dataSource;
        _fixedDialect = dialect;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Creates or upgrades the schema. Called automatically before the first operation; call it at start-up to fail
    /// early when the database is unreachable. A failed migration is tried again on the next call.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the migration; the migration itself runs to its end, applied entirely or not at all.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="NotSupportedException">The data source is neither SQLite nor PostgreSQL.</exception>
    public Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Task migration;
        lock (_migrationGate)
        {
            // One migration per instance, shared by every caller; a faulted one is replaced by a new attempt.
            if (_migration is null || _migration.IsFaulted || _migration.IsCanceled)
            {
                _migration = MigrateOnceAsync();
            }

            migration = _migration;
        }

        return migration.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Lists the schema migrations this package ships and which of them the database has, without applying any and
    /// without creating anything: for an operator who checks what <see cref="MigrateAsync"/> would do (an account that
    /// may not change the schema can run it). A SQLite file that does not exist yet is reported with every migration
    /// pending, and is not created.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Every migration, in order of version.</returns>
    /// <exception cref="NotSupportedException">The data source is neither SQLite nor PostgreSQL.</exception>
    public async Task<IReadOnlyList<SchemaMigration>> GetMigrationsAsync(CancellationToken cancellationToken = default)
    {
        using (var probe = _dataSource.CreateConnection())
        {
            var dialect = _fixedDialect ?? SqlDialect.For(probe);
            if (dialect == SqlDialect.Sqlite && SqliteDatabaseFile.FilePath(probe.ConnectionString) is { } path && !File.Exists(path))
            {
                // Opening it would create it (with the process's umask): nothing to read yet.
                return [.. SchemaMigrator.Scripts(dialect).Select(static s => new SchemaMigration(s.Version, s.Description, null))];
            }
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var dialect = _fixedDialect ?? SqlDialect.For(connection);
            var applied = await SchemaMigrator.AppliedAsync(connection, dialect, cancellationToken).ConfigureAwait(false);
            return [.. SchemaMigrator.Scripts(dialect).Select(s => new SchemaMigration(
                s.Version,
                s.Description,
                applied.TryGetValue(s.Version, out var at) ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null))];
        }
    }

    /// <inheritdoc/>
    /// <remarks>Like <see cref="GetMigrationsAsync"/>: applies nothing and creates no SQLite file; a version applied by a newer release counts as current.</remarks>
    public async Task<StorageSchemaVersion> GetSchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        using (var probe = _dataSource.CreateConnection())
        {
            var dialect = _fixedDialect ?? SqlDialect.For(probe);
            if (dialect == SqlDialect.Sqlite && SqliteDatabaseFile.FilePath(probe.ConnectionString) is { } path && !File.Exists(path))
            {
                return new StorageSchemaVersion(0, SchemaMigrator.Scripts(dialect).Max(static s => s.Version));
            }
        }

        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var dialect = _fixedDialect ?? SqlDialect.For(connection);
            var applied = await SchemaMigrator.AppliedAsync(connection, dialect, cancellationToken).ConfigureAwait(false);
            return new StorageSchemaVersion(applied.Count == 0 ? 0 : applied.Keys.Max(), SchemaMigrator.Scripts(dialect).Max(static s => s.Version));
        }
    }

    /// <inheritdoc/>
    public async Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var row = await connection.QuerySingleOrDefaultAsync<CredentialRow>(new CommandDefinition(
                $"SELECT {CredentialRow.Columns} FROM {Table} WHERE company_id = @companyId",
                new { companyId },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row?.ToStoredCredential();
        }
    }

    /// <summary>
    /// The page query of <see cref="ListAsync"/>: binary order, so that paging agrees with ordinal order whatever the
    /// database's collation, served by an index on every dialect (the primary key on SQLite, ix_eits_credentials_company_id_c
    /// on PostgreSQL), never a scan and sort of the whole table.
    /// </summary>
    internal static string ListSql(SqlDialect dialect, bool after)
    {
        var order = $"company_id{dialect.BinaryCollation}";
        return after
            ? $"SELECT {CredentialRow.Columns} FROM {Table} WHERE {order} > @afterCompanyId ORDER BY {order} LIMIT @limit"
            : $"SELECT {CredentialRow.Columns} FROM {Table} ORDER BY {order} LIMIT @limit";
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredCredential>> ListAsync(string? afterCompanyId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<CredentialRow>(new CommandDefinition(
                ListSql(_dialect!, afterCompanyId is not null), new { afterCompanyId, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(r => r.ToStoredCredential())];
        }
    }

    /// <inheritdoc/>
    public Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return WriteAsync(
            $"""
            INSERT INTO {Table} (
                company_id, kind, environment, settings, secrets, secret_expiries, access_token, refresh_token, access_token_expires_at,
                access_token_refresh_at, serving_secret, refresh_token_expires_at, is_valid, last_validated_at, last_test_at, last_test_succeeded, last_test_error,
                destination_seal, configured_at, configured_by, version, row_version)
            VALUES (
                @CompanyId, @Kind, @Environment, @Settings, @Secrets, @SecretExpiries, @AccessToken, @RefreshToken, @AccessTokenExpiresAt,
                @AccessTokenRefreshAt, @ServingSecretName, @RefreshTokenExpiresAt, @IsValid, @LastValidatedAt, @LastTestAt, @LastTestSucceeded, @LastTestError,
                @DestinationSeal, @ConfiguredAt, @ConfiguredBy, @Version, @RowVersion)
            ON CONFLICT (company_id) DO NOTHING
            """,
            CredentialRow.From(credential),
            audit,
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return WriteAsync(UpdateSql, CredentialRow.From(credential, expectedRowVersion), audit, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One transaction for all the rows: a key rotation pays one commit per batch, not one per company.</remarks>
    public async Task<IReadOnlyCollection<string>> UpdateManyAsync(IReadOnlyList<CredentialRowUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var skipped = new List<string>();
        if (updates.Count == 0)
        {
            return skipped;
        }

        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                foreach (var update in updates)
                {
                    var row = CredentialRow.From(update.Credential, update.ExpectedRowVersion);
                    if (await connection.ExecuteAsync(new CommandDefinition(UpdateSql, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) != 1)
                    {
                        skipped.Add(update.Credential.CompanyId);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return skipped;
            }
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        return WriteAsync(
            $"DELETE FROM {Table} WHERE company_id = @companyId AND row_version = @expectedRowVersion",
            new { companyId, expectedRowVersion },
            audit,
            cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<AuditEntry> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var entry = await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return entry;
            }
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
                $"SELECT {AuditRow.Columns} FROM eits_audit WHERE sequence > @afterSequence ORDER BY sequence LIMIT @limit",
                new { afterSequence, limit },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return [.. rows.Select(r => r.ToAuditEntry())];
        }
    }

    /// <inheritdoc/>
    public async Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var head = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(
                "SELECT sequence AS Sequence, hash AS Hash FROM eits_audit_head WHERE id = 1", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return head is null || head.Sequence == 0 ? null : new AuditHead(head.Sequence, head.Hash);
        }
    }

    /// <inheritdoc/>
    public async Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(owner);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The compare-and-set and the read in one statement: the row as it is when the lease is taken.
            var row = await connection.QuerySingleOrDefaultAsync<CredentialRow>(new CommandDefinition(
                $"""
                UPDATE {Table} SET lease_owner = @owner, lease_expires_at = @expiresAt
                WHERE company_id = @companyId AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at <= @now)
                RETURNING {CredentialRow.Columns}
                """,
                new { companyId, owner, now = now.ToUnixTimeMilliseconds(), expiresAt = expiresAt.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return row?.ToStoredCredential();
        }
    }

    /// <inheritdoc/>
    public async Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(tokens);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Every right-hand side reads the row as it was, so the lease columns are compared with the old owner.
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE {Table} SET
                    access_token = @AccessToken, refresh_token = @RefreshToken,
                    access_token_expires_at = @ExpiresAt, access_token_refresh_at = @RefreshAt, serving_secret = @ServingSecretName, refresh_token_expires_at = @RefreshTokenExpiresAt,
                    is_valid = CASE WHEN @SetValidity THEN @IsValid ELSE is_valid END,
                    last_validated_at = CASE WHEN @SetValidity THEN @ValidatedAt ELSE last_validated_at END,
                    row_version = row_version + 1,
                    lease_owner = CASE WHEN lease_owner = @Owner THEN NULL ELSE lease_owner END,
                    lease_expires_at = CASE WHEN lease_owner = @Owner THEN NULL ELSE lease_expires_at END
                WHERE company_id = @CompanyId AND version = @Version
                """,
                new
                {
                    CompanyId = companyId,
                    Version = version,
                    tokens.AccessToken,
                    tokens.RefreshToken,
                    ExpiresAt = tokens.AccessTokenExpiresAt?.ToUnixTimeMilliseconds(),
                    RefreshAt = tokens.AccessTokenRefreshAt?.ToUnixTimeMilliseconds(),
                    tokens.ServingSecretName,
                    RefreshTokenExpiresAt = tokens.RefreshTokenExpiresAt?.ToUnixTimeMilliseconds(),
                    SetValidity = tokens.IsValid is not null,
                    tokens.IsValid,
                    ValidatedAt = tokens.ValidatedAt?.ToUnixTimeMilliseconds(),
                    Owner = releaseLeaseOf,
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (updated == 0 && releaseLeaseOf is not null)
            {
                // The credentials moved on meanwhile: nothing to store, but the lease is still released.
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE {Table} SET lease_owner = NULL, lease_expires_at = NULL WHERE company_id = @companyId AND lease_owner = @owner",
                    new { companyId, owner = releaseLeaseOf },
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            return updated == 1;
        }
    }

    /// <inheritdoc/>
    public async Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(companyId);
        ArgumentNullException.ThrowIfNull(owner);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE {Table} SET lease_owner = NULL, lease_expires_at = NULL WHERE company_id = @companyId AND lease_owner = @owner",
                new { companyId, owner },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One statement: the row is inserted, or taken over only while it is undelivered and its lease has run out, so that
    /// two hosts claiming at once (PostgreSQL waits on the conflicting row; SQLite serialises writers) get it once.
    /// </remarks>
    public async Task<bool> TryClaimReminderAsync(ReminderClaim claim, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var claimed = await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO eits_reminders (company_id, credential_version, secret, threshold, expires_at, claimed_by, lease_until, delivered_at)
                VALUES (@CompanyId, @CredentialVersion, @SecretName, @Threshold, @ExpiresAt, @Claimant, @LeaseUntil, NULL)
                ON CONFLICT (company_id, credential_version, secret, threshold) DO UPDATE SET
                    claimed_by = excluded.claimed_by, lease_until = excluded.lease_until, expires_at = excluded.expires_at
                WHERE eits_reminders.delivered_at IS NULL AND eits_reminders.lease_until <= @Now
                """,
                new
                {
                    claim.CompanyId,
                    claim.CredentialVersion,
                    claim.SecretName,
                    claim.Threshold,
                    ExpiresAt = claim.ExpiresAt.ToUnixTimeMilliseconds(),
                    claim.Claimant,
                    LeaseUntil = leaseUntil.ToUnixTimeMilliseconds(),
                    Now = now.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return claimed == 1;
        }
    }

    /// <inheritdoc/>
    public async Task CompleteReminderAsync(ReminderClaim claim, bool delivered, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                delivered
                    ? "UPDATE eits_reminders SET delivered_at = @Now WHERE company_id = @CompanyId AND credential_version = @CredentialVersion AND secret = @SecretName AND threshold = @Threshold AND claimed_by = @Claimant AND delivered_at IS NULL"
                    : "UPDATE eits_reminders SET lease_until = @Now WHERE company_id = @CompanyId AND credential_version = @CredentialVersion AND secret = @SecretName AND threshold = @Threshold AND claimed_by = @Claimant AND delivered_at IS NULL",
                new { claim.CompanyId, claim.CredentialVersion, claim.SecretName, claim.Threshold, claim.Claimant, Now = now.ToUnixTimeMilliseconds() },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task MigrateOnceAsync()
    {
        // Before the first open: SQLite would otherwise create the file with the process's umask (usually 0644).
        SqliteDatabaseFile.CreateOwnerOnly(_dataSource, _logger);
        var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var dialect = _fixedDialect ?? SqlDialect.For(connection);
            await SchemaMigrator.MigrateAsync(connection, dialect, _timeProvider, _logger, CancellationToken.None).ConfigureAwait(false);
            _dialect = dialect;
        }
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_dialect is null)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one conditional write and, when it changed a row, appends the audit entry in the same transaction.</summary>
    private async Task<bool> WriteAsync(string sql, object parameters, AuditEvent? audit, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var changed = await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                if (changed != 1)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return false;
                }

                if (audit is not null)
                {
                    await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
        }
    }

    private async Task<AuditEntry> AppendAuditAsync(DbConnection connection, DbTransaction transaction, AuditEvent audit, CancellationToken cancellationToken)
    {
        var head = await connection.QuerySingleAsync<HeadRow>(new CommandDefinition(
            $"SELECT sequence AS Sequence, hash AS Hash FROM eits_audit_head WHERE id = 1{_dialect!.LockAuditHead}",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var entry = AuditEntry.Chain(head.Sequence == 0 ? null : new AuditHead(head.Sequence, head.Hash), audit);

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO eits_audit (sequence, occurred_at, company_id, action, actor, outcome, fields, mfa_method, detail, previous_hash, hash, key_id, mac)
            VALUES (@Sequence, @OccurredAt, @CompanyId, @Action, @Actor, @Outcome, @Fields, @MfaMethod, @Detail, @PreviousHash, @Hash, @KeyId, @Mac)
            """,
            AuditRow.From(entry),
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE eits_audit_head SET sequence = @Sequence, hash = @Hash WHERE id = 1",
            new { entry.Sequence, entry.Hash },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return entry;
    }

    private sealed class HeadRow
    {
        public long Sequence { get; set; }

        public string Hash { get; set; } = string.Empty;
    }
}
