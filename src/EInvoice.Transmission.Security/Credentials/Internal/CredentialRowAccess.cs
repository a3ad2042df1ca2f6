using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// What the admin side (<see cref="CredentialStore"/>) and the token path (<see cref="TokenPathGateway"/>) both do to a
/// stored row: check its destination against its seal, and change it with optimistic concurrency. Kept in one place so
/// that the two sides can never disagree on when a destination is trusted or how a conflicting write is retried.
/// </summary>
internal sealed class CredentialRowAccess
{
    /// <summary>How often a write is tried again after a conflict before the writer gives up.</summary>
    public const int MaxWriteAttempts = 16;

    /// <summary>How many tampered field names a status shows and a log line names at most (a check keeps them all).</summary>
    public const int MaxTamperedFieldsShown = 20;

    private readonly ICredentialRepository _repository;
    private readonly CredentialVault _vault;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly bool _acceptLegacySeals;

    public CredentialRowAccess(ICredentialRepository repository, CredentialVault vault, TimeProvider timeProvider, ILogger logger, bool acceptLegacySeals = true)
    {
        _acceptLegacySeals = acceptLegacySeals;
        _repository = repository;
        _vault = vault;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Parses a stored endpoint; a value that is not an absolute URI reads as none.</summary>
    public static Uri? ToUri(string? value) => Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>The time stored with a row or an audit entry, at the millisecond precision every repository keeps.</summary>
    public DateTimeOffset Now() => AuditChain.TruncateToMilliseconds(_timeProvider.GetUtcNow());

    /// <summary>
    /// Compares a row's destination columns with the seal written with them. A column changed outside the store, a
    /// missing seal or one that does not open (copied from another company, or its key left the ring) fails: sending a
    /// secret there could hand it to whoever changed the columns.
    /// </summary>
    public async Task<DestinationCheck> CheckDestinationAsync(StoredCredential row, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> tampered;
        byte[]? sealedDestination = null;
        if (row.DestinationSeal is not { } seal)
        {
            tampered = CredentialDestination.AllFields(row);
        }
        else
        {
            try
            {
                sealedDestination = await _vault.OpenAsync(seal, row.CompanyId, SecretFields.Destination, cancellationToken).ConfigureAwait(false);
            }
            catch (CredentialVaultException ex)
            {
                _logger.EnvelopeCannotBeOpened(row.CompanyId, SecretFields.Destination, ex);
            }
            catch (ArgumentException)
            {
                // A company id no caller could have stored (written into storage directly): the vault refuses it, and
                // the row is reported as tampered rather than failing a whole page of statuses.
            }

            tampered = sealedDestination is null ? CredentialDestination.AllFields(row)
                : !_acceptLegacySeals && !CredentialDestination.IsCurrentVersion(sealedDestination) ? CredentialDestination.AllFields(row)
                : CredentialDestination.Mismatches(sealedDestination, row);
        }

        if (tampered.Count == 0)
        {
            return DestinationCheck.Intact;
        }

        // Names written into storage by someone else: shown, logged and audited only in their audit form (lowercase,
        // or a hash), never raw. The check keeps every name (a reset decides from it which secrets it keeps, so a
        // secret must not drop off behind planted settings); only what is shown and logged is cut to a page.
        var check = new DestinationCheck([.. tampered.Select(SecretFields.Audit).Distinct(StringComparer.Ordinal)], sealedDestination);
        _logger.DestinationNotSealed(row.CompanyId, check.ShownFields);
        return check;
    }

    /// <summary>Refuses a row whose destination failed its check (<see cref="CheckDestinationAsync"/>).</summary>
    /// <exception cref="CredentialVaultException">The seal does not open, or does not match the row.</exception>
    public async Task EnsureDestinationIsSealedAsync(StoredCredential row, CancellationToken cancellationToken)
    {
        if (!(await CheckDestinationAsync(row, cancellationToken).ConfigureAwait(false)).IsIntact)
        {
            throw CredentialVaultException.CannotOpen();
        }
    }

    /// <summary>
    /// <see cref="MutateAsync(string, Func{StoredCredential, StoredCredential?}, StoredCredential?, CancellationToken)"/> for what the token path records: nothing is written once the credentials moved past
    /// <paramref name="version"/>, so a result obtained with old credentials never lands on new ones.
    /// </summary>
    public Task<bool> MutateAtVersionAsync(string companyId, long version, Func<StoredCredential, StoredCredential> change, CancellationToken cancellationToken)
        => MutateAsync(companyId, row => row.Version != version ? null : change(row), null, cancellationToken);

    /// <summary>
    /// Read, change, write if the row is unchanged; repeat on conflict. <paramref name="change"/> returns
    /// <see langword="null"/> when there is nothing (more) to do. Returns whether a write happened.
    /// </summary>
    public Task<bool> MutateAsync(string companyId, Func<StoredCredential, StoredCredential?> change, StoredCredential? current, CancellationToken cancellationToken)
        => MutateAsync(companyId, row => Task.FromResult(change(row)), current, cancellationToken);

    /// <summary><see cref="MutateAsync(string, Func{StoredCredential, StoredCredential?}, StoredCredential?, CancellationToken)"/> with a change that awaits (a rewrap through a key custodian).</summary>
    public async Task<bool> MutateAsync(string companyId, Func<StoredCredential, Task<StoredCredential?>> change, StoredCredential? current, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxWriteAttempts; attempt++)
        {
            current ??= await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
            if (current is null || await change(current).ConfigureAwait(false) is not { } next)
            {
                return false;
            }

            if (await _repository.UpdateAsync(next with { RowVersion = current.RowVersion + 1 }, current.RowVersion, null, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            _logger.CredentialWriteConflict(companyId, attempt);
            current = null;
        }

        return false;
    }
}
