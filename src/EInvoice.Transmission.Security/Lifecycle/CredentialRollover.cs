using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Staged rollover: new credentials are staged beside the current ones (with MFA, audited), the current ones keep
/// serving, and the staged ones replace them — atomically, in one write — only after a connection test with them
/// passed, or on an explicit, audited override. A failed test changes nothing and says why, without secrets.
/// </summary>
/// <remarks>
/// Staged secrets are sealed like any secret (each envelope bound to its company and to <c>staged.NAME</c>), bound into
/// the destination seal, and moved by <see cref="CredentialStore.RewrapAllAsync"/>. A change made with
/// <see cref="CredentialStore.SetAsync"/> while something is staged discards what was staged (the audit names it).
/// </remarks>
public sealed class CredentialRollover
{
    private readonly CredentialStore _store;
    private readonly ICredentialRepository _repository;
    private readonly TokenPathGateway _gateway;
    private readonly AccessTokenCache _tokens;

    internal CredentialRollover(CredentialStore store, ICredentialRepository repository, TokenPathGateway gateway, AccessTokenCache tokens)
    {
        _store = store;
        _repository = repository;
        _gateway = gateway;
        _tokens = tokens;
    }

    /// <summary>
    /// Stages settings, secrets and secret expiries to replace the current ones; what was staged before is replaced. The
    /// kind and environment stay. Requires a recent multi-factor proof and is audited (<see cref="AuditAction.CredentialsStaged"/>,
    /// fields named <c>staged.NAME</c>).
    /// </summary>
    /// <param name="companyId">The company; it must have credentials.</param>
    /// <param name="update">The settings and secrets to stage (none removed), and their expiries.</param>
    /// <param name="context">Who is acting, with their multi-factor proof.</param>
    /// <param name="cancellationToken">Cancels the change.</param>
    /// <returns>The status, whose <see cref="CredentialStatus.StagedFields"/> names what is staged.</returns>
    /// <exception cref="ArgumentException">The company has no credentials, its destination failed its check, or the update is not valid for its kind.</exception>
    /// <exception cref="CredentialChangeRefusedException">The multi-factor proof is missing, rejected, too old or dated in the future.</exception>
    /// <exception cref="CredentialConcurrencyException">The credentials changed meanwhile.</exception>
    public Task<CredentialStatus> StageAsync(string companyId, CredentialUpdate update, CredentialChangeContext context, CancellationToken cancellationToken = default)
        => _store.StageAsync(companyId, update, context, cancellationToken);

    /// <summary>
    /// Tests the staged credentials (a token request, or an API call for a static kind; nothing cached or stored) and
    /// promotes them if the test passed, or without a test when <paramref name="overrideConnectionTest"/> is set. Requires
    /// a recent multi-factor proof. Audited either way (<see cref="AuditAction.StagedCredentialsPromoted"/>): succeeded
    /// with the promoted fields, or refused with the test's scrubbed error.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="context">Who is acting, with their multi-factor proof.</param>
    /// <param name="overrideConnectionTest">Promote without a test (a platform that cannot be reached from here, say); the audit entry says so.</param>
    /// <param name="cancellationToken">Cancels the test and the change.</param>
    /// <returns>Whether the staged credentials were promoted, the test's result, and the status afterwards.</returns>
    /// <exception cref="ArgumentException">Nothing is staged for the company, or its destination failed its integrity check (nothing is promoted, the proof is not used).</exception>
    /// <exception cref="CredentialChangeRefusedException">The multi-factor proof is missing, rejected, too old or dated in the future.</exception>
    /// <exception cref="CredentialConcurrencyException">The credentials changed between the test and the promotion; nothing was promoted.</exception>
    public async Task<CredentialPromotionResult> PromoteAsync(string companyId, CredentialChangeContext context, bool overrideConnectionTest = false, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        ArgumentNullException.ThrowIfNull(context);
        var row = await _repository.GetAsync(companyId, cancellationToken).ConfigureAwait(false);
        var fields = row is null ? [] : CredentialStore.StagedFields(row);
        if (fields.Count == 0)
        {
            throw new ArgumentException($"Nothing is staged for company '{companyId}'.", nameof(companyId));
        }

        await _store.EnsurePromotableAsync(companyId, row!, cancellationToken).ConfigureAwait(false);
        await _store.EnsureMfaAsync(companyId, AuditAction.StagedCredentialsPromoted, context, fields, cancellationToken).ConfigureAwait(false);

        ConnectionTestResult? test = null;
        if (!overrideConnectionTest)
        {
            try
            {
                test = await _tokens.TestCandidateAsync(await _gateway.OpenStagedAsync(row!, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (CredentialVaultException)
            {
                test = new ConnectionTestResult(_store.Now(), false, "The staged credentials cannot be opened: their key is not in the key ring, or they were modified.");
            }

            if (!test.Succeeded)
            {
                await _store.AuditPromotionRefusedAsync(companyId, context, fields, $"The connection test with the staged credentials failed: {test.Error}").ConfigureAwait(false);
                return new CredentialPromotionResult(false, test, await _store.GetStatusAsync(companyId, cancellationToken).ConfigureAwait(false));
            }
        }

        var detail = test is null
            ? "Promoted without a connection test: overridden by the administrator."
            : $"The connection test with the staged credentials passed at {test.TestedAt:O}.";
        var status = await _store.PromoteStagedAsync(row!, context, test, detail, cancellationToken).ConfigureAwait(false);
        return new CredentialPromotionResult(true, test, status);
    }
}

/// <summary>What <see cref="CredentialRollover.PromoteAsync"/> did.</summary>
/// <param name="IsPromoted">Whether the staged credentials now serve.</param>
/// <param name="ConnectionTest">The connection test with the staged credentials; <see langword="null"/> when overridden.</param>
/// <param name="Status">The status afterwards.</param>
public sealed record CredentialPromotionResult(bool IsPromoted, ConnectionTestResult? ConnectionTest, CredentialStatus? Status);
