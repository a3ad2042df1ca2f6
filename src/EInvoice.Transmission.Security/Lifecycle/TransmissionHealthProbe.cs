using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// What health checks ask the library (package <c>EInvoice.Transmission.Security.HealthChecks</c>): whether the key ring
/// seals and opens, whether storage answers at the expected schema version, which companies' token requests are
/// failing, and which secrets have expired or expire within a reminder threshold. Cheap enough for every probe: no
/// audit scan, no secret opened; the token problems come from memory, the expiries from the last reminder scan.
/// </summary>
public sealed class TransmissionHealthProbe
{
    private const string ProbeCompany = "eits-health-probe";
    private const string ProbeField = "health.probe";

    private readonly CredentialVault _vault;
    private readonly ICredentialRepository _repository;
    private readonly AccessTokenCache _tokens;
    private readonly CredentialExpiryReminders _expiries;

    internal TransmissionHealthProbe(CredentialVault vault, ICredentialRepository repository, AccessTokenCache tokens, CredentialExpiryReminders expiries)
    {
        _vault = vault;
        _repository = repository;
        _tokens = tokens;
        _expiries = expiries;
    }

    /// <summary>Seals a probe value under the active key and opens it again.</summary>
    /// <returns><see langword="null"/> when the key ring works; otherwise why not (never key material).</returns>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public async Task<string?> CheckVaultAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            // Through the key that wraps new values: a configured custodian (an HSM, a KMS) is what this probes.
            var probe = "eits-health-probe"u8.ToArray();
            var envelope = await _vault.SealAsync(probe, ProbeCompany, ProbeField, cancellationToken).ConfigureAwait(false);
            var opened = await _vault.OpenAsync(envelope, ProbeCompany, ProbeField, cancellationToken).ConfigureAwait(false);
            return opened.AsSpan().SequenceEqual(probe) ? null : "the key ring opened a probe to a different value";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Any failure of the key custody (a key service that is down, a ring that does not load) makes it unusable.
            return $"the key ring cannot seal and open a probe ({ex.GetType().Name})";
        }
    }

    /// <summary>
    /// Reads one row (a repository that migrates on first use does so then), then the schema version when the repository
    /// reports it (<see cref="IStorageSchemaCheck"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The storage's state.</returns>
    public async Task<StorageProbeResult> CheckStorageAsync(CancellationToken cancellationToken = default)
    {
        StorageSchemaVersion? schema = null;
        try
        {
            await _repository.ListAsync(null, 1, cancellationToken).ConfigureAwait(false);

            // After the read: a repository that migrates on first use (the Dapper one) has done so by now, so what is
            // reported behind is storage that could not be brought to the version (an account without DDL rights).
            if (_repository is IStorageSchemaCheck check)
            {
                schema = await check.GetSchemaVersionAsync(cancellationToken).ConfigureAwait(false);
            }

            return new StorageProbeResult(true, schema, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The type only: a provider's message may carry a connection string.
            return new StorageProbeResult(false, schema, ex.GetType().Name);
        }
    }

    /// <summary>The companies whose token requests are failing in this process, most failures first.</summary>
    /// <param name="max">The most to return.</param>
    /// <returns>The problems; empty when every company this process served has a token.</returns>
    public IReadOnlyList<CompanyTokenProblem> GetTokenProblems(int max = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return _tokens.Problems(max);
    }

    /// <summary>
    /// The secrets that have expired or expire within a reminder threshold, as the last reminder scan found them; scans
    /// (without raising reminders) when that scan is older than two scan intervals or none ran yet.
    /// </summary>
    /// <param name="cancellationToken">Cancels a scan.</param>
    /// <returns>One entry per secret, with the most urgent threshold it reached.</returns>
    public Task<IReadOnlyList<CredentialExpiryReminder>> GetExpiringAsync(CancellationToken cancellationToken = default)
        => _expiries.CurrentlyDueAsync(cancellationToken);
}

/// <summary>What <see cref="TransmissionHealthProbe.CheckStorageAsync"/> found.</summary>
/// <param name="IsReachable">Whether storage answered.</param>
/// <param name="Schema">The schema versions, when the repository reports them.</param>
/// <param name="Failure">The type of the exception storage failed with, or <see langword="null"/>.</param>
public sealed record StorageProbeResult(bool IsReachable, StorageSchemaVersion? Schema, string? Failure);
