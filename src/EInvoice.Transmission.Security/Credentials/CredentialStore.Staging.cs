using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Staged rollover (issue #14): new credentials kept beside the current ones, in the same row under the prefix
/// <c>staged.</c> — sealed like any secret, bound into the destination seal, moved by key rotation — until a passing
/// connection test (or an audited override) promotes them in one write. The public side is <see cref="CredentialRollover"/>.
/// </summary>
public sealed partial class CredentialStore
{
    /// <summary>The prefix of staged settings, secrets and expiries in a stored row.</summary>
    internal const string StagedPrefix = "staged.";

    /// <summary>The store's clock, at the precision rows keep.</summary>
    internal DateTimeOffset Now() => _rows.Now();

    internal static bool IsStaged(string name) => name.StartsWith(StagedPrefix, StringComparison.Ordinal);

    /// <summary>The names of what <paramref name="row"/> has staged, in audit form (<c>staged.client_secret</c>), ordered.</summary>
    internal static IReadOnlyList<string> StagedFields(StoredCredential row)
        => [.. row.Settings.Keys.Concat(row.Secrets.Keys).Where(IsStaged).Select(SecretFields.Audit).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Stages settings, secrets and their expiries for a company; the current credentials keep serving.</summary>
    internal async Task<CredentialStatus> StageAsync(string companyId, CredentialUpdate update, CredentialChangeContext context, CancellationToken cancellationToken)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(context);
        CredentialRules.ValidateUpdateShape(update);
        if (update.Kind is not null || update.Environment is not null)
        {
            throw new ArgumentException("Staged credentials keep the kind and environment of the current ones: stage settings, secrets and expiries only.", nameof(update));
        }

        if (update.Settings.Count + update.Secrets.Count == 0 || update.Settings.Values.Any(static v => v is null) || update.Secrets.Values.Any(static v => v is null))
        {
            throw new ArgumentException("A staged update sets at least one setting or secret and removes none.", nameof(update));
        }

        var existing = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException($"Company '{companyId}' has no credentials to stage a replacement for: create them with SetAsync.", nameof(companyId));
        if (!(await _rows.CheckDestinationAsync(existing, cancellationToken).ConfigureAwait(false)).IsIntact)
        {
            throw new ArgumentException($"The stored destination of company '{companyId}' failed its integrity check: reset it with SetAsync before staging.", nameof(companyId));
        }

        var kind = _kinds.Get(existing.Kind, nameof(update));
        CredentialRules.ValidateFields(kind, update, _options.AllowHttpOnLoopback);

        // What promotion would store must be valid credentials of the kind.
        var candidate = Live(existing) with
        {
            Settings = Overlay(Live(existing).Settings, update.Settings.ToDictionary(static s => s.Key, static s => s.Value!, StringComparer.Ordinal)),
            Secrets = Overlay(Live(existing).Secrets, update.Secrets.ToDictionary(static s => s.Key, static _ => Array.Empty<byte>(), StringComparer.Ordinal)),
        };
        CredentialRules.ValidateRow(kind, candidate, _options.AllowHttpOnLoopback, nameof(update));
        foreach (var name in update.SecretExpiries.Keys)
        {
            if (!update.Secrets.ContainsKey(name))
            {
                throw new ArgumentException($"CredentialUpdate.SecretExpiries names '{SecretFields.Audit(name)}', which the update does not stage.", nameof(update));
            }
        }

        var fields = update.Settings.Keys.Concat(update.Secrets.Keys).Select(static n => SecretFields.Audit(StagedPrefix + n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        await EnsureMfaAsync(companyId, AuditAction.CredentialsStaged, context, fields, cancellationToken).ConfigureAwait(false);

        var settings = Live(existing).Settings.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in update.Settings)
        {
            settings[StagedPrefix + name] = value!;
        }

        var secrets = Live(existing).Secrets.ToDictionary(StringComparer.Ordinal);
        var expiries = Live(existing).SecretExpiries.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in update.Secrets)
        {
            secrets[StagedPrefix + name] = await _vault.SealSecretAsync(value!, companyId, SecretFields.Envelope(StagedPrefix + name), cancellationToken).ConfigureAwait(false);
            var expiresAt = update.SecretExpiries.GetValueOrDefault(name) ?? SecretExpiryReader.Read(kind.FindField(name, isSecret: true)!, value!);
            if (expiresAt is { } at)
            {
                expiries[StagedPrefix + name] = AuditChain.TruncateToMilliseconds(at.ToUniversalTime());
            }
        }

        var now = _rows.Now();
        var row = existing with
        {
            Settings = settings,
            Secrets = secrets,
            SecretExpiries = expiries,
            ConfiguredAt = now,
            ConfiguredBy = context.Actor,
            Version = existing.Version + 1,
            RowVersion = existing.RowVersion + 1,
        };
        await WriteChangeAsync(existing, row, AuditAction.CredentialsStaged, context, fields, "The current credentials keep serving until the staged ones are promoted.", cancellationToken).ConfigureAwait(false);
        return ToStatus(row, DestinationCheck.Intact);
    }

    /// <summary>
    /// Replaces the current credentials of <paramref name="tested"/> by its staged ones in one write, only if the row is
    /// still the one that was tested: staged secrets are opened and sealed again under their own names, their expiries
    /// move with them, cached tokens are dropped so that the next token request uses the new credentials.
    /// </summary>
    /// <exception cref="CredentialConcurrencyException">The row changed since it was read for the test.</exception>
    internal async Task<CredentialStatus> PromoteStagedAsync(StoredCredential tested, CredentialChangeContext context, ConnectionTestResult? test, string detail, CancellationToken cancellationToken)
    {
        var companyId = tested.CompanyId;
        var live = Live(tested);
        var settings = live.Settings.ToDictionary(StringComparer.Ordinal);
        var secrets = live.Secrets.ToDictionary(StringComparer.Ordinal);
        var expiries = live.SecretExpiries.ToDictionary(StringComparer.Ordinal);
        var fields = new List<string>();
        foreach (var (name, value) in tested.Settings.Where(static s => IsStaged(s.Key)))
        {
            settings[name[StagedPrefix.Length..]] = value;
            fields.Add(name[StagedPrefix.Length..]);
        }

        foreach (var (name, envelope) in tested.Secrets.Where(static s => IsStaged(s.Key)))
        {
            var liveName = name[StagedPrefix.Length..];
            // Each envelope is bound to its field name: the staged value is sealed again under the live one.
            var value = await _vault.OpenSecretAsync(envelope, companyId, SecretFields.Envelope(name), cancellationToken).ConfigureAwait(false);
            secrets[liveName] = await _vault.SealSecretAsync(value, companyId, SecretFields.Envelope(liveName), cancellationToken).ConfigureAwait(false);
            fields.Add(liveName);
            var hadExpiry = expiries.Remove(liveName);
            if (tested.SecretExpiries.TryGetValue(name, out var expiresAt))
            {
                expiries[liveName] = expiresAt;
                fields.Add(ExpiryField(liveName));
            }
            else if (hadExpiry)
            {
                fields.Add(ExpiryField(liveName));
            }
        }

        var now = _rows.Now();
        var row = tested with
        {
            Settings = settings,
            Secrets = secrets,
            SecretExpiries = expiries,
            AccessToken = null,
            RefreshToken = null,
            AccessTokenExpiresAt = null,
            AccessTokenRefreshAt = null,
            IsValid = test?.Succeeded,
            LastValidatedAt = test?.TestedAt,
            LastTestAt = test?.TestedAt ?? tested.LastTestAt,
            LastTestSucceeded = test?.Succeeded ?? tested.LastTestSucceeded,
            LastTestError = test is null ? tested.LastTestError : null,
            ConfiguredAt = now,
            ConfiguredBy = context.Actor,
            Version = tested.Version + 1,
            RowVersion = tested.RowVersion + 1,
        };
        await WriteChangeAsync(tested, row, AuditAction.StagedCredentialsPromoted, context, [.. fields.Select(SecretFields.Audit).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], detail, cancellationToken).ConfigureAwait(false);
        return ToStatus(row, DestinationCheck.Intact);
    }

    /// <summary>
    /// Refuses to promote from a row whose destination failed its check, before any proof is used: a promotion seals the
    /// row again, so it would adopt (and hand the new secret to) whatever was written into storage — a live or staged
    /// setting changed, an older staged envelope put back — also when the connection test is overridden.
    /// </summary>
    /// <exception cref="ArgumentException">The destination failed its check.</exception>
    internal async Task EnsurePromotableAsync(string companyId, StoredCredential row, CancellationToken cancellationToken)
    {
        var check = await _rows.CheckDestinationAsync(row, cancellationToken).ConfigureAwait(false);
        if (!check.IsIntact)
        {
            throw new ArgumentException(
                $"The stored destination of company '{companyId}' failed its integrity check ({DescribeFields(check.TamperedFields)}): nothing staged is " +
                "promoted. Reset the credentials with SetAsync, then stage again.",
                nameof(companyId));
        }
    }

    /// <summary>Audits a promotion that did not happen (a failed connection test): who tried, which fields, and why, without secrets.</summary>
    internal async Task AuditPromotionRefusedAsync(string companyId, CredentialChangeContext context, IReadOnlyList<string> fields, string reason)
    {
        _logger.StagedPromotionRefused(companyId, context.Actor, reason);
        using var auditKey = _vault.CreateAuditKey();
        await _auditTrail.AppendAuditAsync(
            new AuditEvent
            {
                Timestamp = _rows.Now(),
                CompanyId = companyId,
                Action = AuditAction.StagedCredentialsPromoted,
                Actor = context.Actor,
                Outcome = AuditOutcome.Refused,
                Fields = fields,
                MfaMethod = context.MfaProof?.Method,
                Detail = reason,
                Key = auditKey,
            },
            CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The row without anything staged.</summary>
    private static StoredCredential Live(StoredCredential row) => row with
    {
        Settings = row.Settings.Where(static s => !IsStaged(s.Key)).ToDictionary(StringComparer.Ordinal),
        Secrets = row.Secrets.Where(static s => !IsStaged(s.Key)).ToDictionary(StringComparer.Ordinal),
        SecretExpiries = row.SecretExpiries.Where(static s => !IsStaged(s.Key)).ToDictionary(StringComparer.Ordinal),
    };

    private static Dictionary<string, T> Overlay<T>(IReadOnlyDictionary<string, T> current, IReadOnlyDictionary<string, T> staged)
    {
        var merged = current.ToDictionary(StringComparer.Ordinal);
        foreach (var (name, value) in staged)
        {
            merged[name] = value;
        }

        return merged;
    }

    /// <summary>Writes a change made from <paramref name="existing"/> with its audit entry, sealed, at the row version read.</summary>
    private async Task WriteChangeAsync(StoredCredential existing, StoredCredential row, AuditAction action, CredentialChangeContext context, IReadOnlyList<string> fields, string detail, CancellationToken cancellationToken)
    {
        var companyId = existing.CompanyId;
        row = row with { DestinationSeal = await _vault.SealAsync(CredentialDestination.Encode(row), companyId, SecretFields.Destination, cancellationToken).ConfigureAwait(false) };
        using var auditKey = _vault.CreateAuditKey();
        var audit = new AuditEvent
        {
            Timestamp = row.ConfiguredAt,
            CompanyId = companyId,
            Action = action,
            Actor = context.Actor,
            Outcome = AuditOutcome.Succeeded,
            Fields = fields,
            MfaMethod = context.MfaProof?.Method,
            Detail = detail,
            Key = auditKey,
        };
        if (!await _repository.UpdateAsync(row, existing.RowVersion, audit, cancellationToken).ConfigureAwait(false))
        {
            var now = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
            throw new CredentialConcurrencyException(companyId, existing.Version, now?.Version ?? 0);
        }

        _logger.CredentialsChanged(companyId, action, context.Actor, fields);
        CredentialsChanged?.Invoke(companyId);
    }
}
