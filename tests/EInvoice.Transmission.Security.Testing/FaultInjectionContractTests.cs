using System.Text;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Storage fails at each step of set, delete, token persistence, audit append and rotation. Afterwards credentials
/// and audit are consistent (both changed or neither), every secret still opens, the audit chain verifies, and doing
/// the operation again completes it exactly once.
/// </summary>
public abstract class FaultInjectionContractTests
{
    /// <summary>The faults this storage can inject: all four for a database, before and after for in-memory.</summary>
    protected abstract IReadOnlyList<Fault> SupportedFaults { get; }

    /// <summary>Creates fresh, empty storage whose writes fail when <paramref name="plan"/> says so.</summary>
    protected abstract Task<(ICredentialRepository Repository, IAsyncDisposable Lifetime)> CreateStorageAsync(FaultPlan plan);

    [SkippableFact]
    public Task SetAsync_CreateFailsAtEachStep_StaysConsistentAndARetryCreatesOnce()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, (store, _) => Task.FromResult((Arm: true, Act: (Func<Task>)(async () =>
        {
            // ExpectedVersion 0 makes the create idempotent: a retry after a lost answer learns the row exists.
            var create = The.AspCredentials with { ExpectedVersion = 0 };
            await AttemptAsync(() => store.SetAsync(The.CompanyId, create, The.AdminWithMfa));
            await AssertConsistentAsync(store, Gateway());

            try
            {
                await store.SetAsync(The.CompanyId, create, The.AdminWithMfa);
            }
            catch (CredentialConcurrencyException)
            {
                // The first attempt did create it; only its answer was lost.
            }

            (await store.GetStatusAsync(The.CompanyId))!.Version.Should().Be(1);
            (await AuditAsync(store)).Count(e => e.Action == AuditAction.CredentialsCreated).Should().Be(1, "created exactly once");
        }))));

    [SkippableFact]
    public Task SetAsync_UpdateFailsAtEachStep_StaysConsistentAndARetryUpdatesOnce()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, async (store, plan) =>
        {
            plan.Disarm();
            await store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecret("header.cpro-account", new SecretValue("technical-account")), The.AdminWithMfa);
            var update = new CredentialUpdate().WithSetting("token_header.onbehalfof", "after-the-fault").WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit");
            return (Arm: true, Act: async () =>
            {
                await AttemptAsync(() => store.SetAsync(The.CompanyId, update, The.AdminWithMfa));
                await AssertConsistentAsync(store, Gateway());

                await store.SetAsync(The.CompanyId, update, The.AdminWithMfa);

                var status = await store.GetStatusAsync(The.CompanyId);
                status!.Version.Should().Be(2, "updated exactly once");
                status.GetSetting("token_header.onbehalfof").Should().Be("after-the-fault");
                (await AuditAsync(store)).Count(e => e.Action == AuditAction.CredentialsUpdated).Should().Be(1);
                var credentials = await Gateway().GetCredentialsAsync(The.CompanyId, default);
                credentials!.ClientSecret!.Reveal().Should().Be(The.ClientSecret);
                credentials!.Values.GetSecret("header.cpro-account")!.Reveal().Should().Be("technical-account");
            });
        });

    [SkippableFact]
    public Task SetAsync_SecretChangeFailsAtEachStep_TheSecretIsEitherOldOrNewAndOpens()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, async (store, plan) =>
        {
            plan.Disarm();
            await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
            return (Arm: true, Act: async () =>
            {
                await AttemptAsync(() => store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")), The.AdminWithMfa));
                await AssertConsistentAsync(store, Gateway());

                var secret = (await Gateway().GetCredentialsAsync(The.CompanyId, default))!.ClientSecret!.Reveal();
                secret.Should().BeOneOf(The.ClientSecret, "rotated-secret");
                var changed = (await store.GetStatusAsync(The.CompanyId))!.Version == 2;
                (secret == "rotated-secret").Should().Be(changed, "the secret changed exactly when the version did");
            });
        });

    [SkippableFact]
    public Task DeleteAsync_FailsAtEachStep_StaysConsistentAndARetryDeletesOnce()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, async (store, plan) =>
        {
            plan.Disarm();
            await store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
            return (Arm: true, Act: async () =>
            {
                await AttemptAsync(() => store.DeleteAsync(The.CompanyId, The.AdminWithMfa));
                await AssertConsistentAsync(store, Gateway());

                await store.DeleteAsync(The.CompanyId, The.AdminWithMfa);

                (await store.GetStatusAsync(The.CompanyId)).Should().BeNull();
                (await AuditAsync(store)).Count(e => e.Action == AuditAction.CredentialsDeleted).Should().Be(1, "deleted exactly once");
            });
        });

    [SkippableFact]
    public Task SaveTokensAsync_FailsAtEachStep_TokensAreEitherStoredOrNotAndOpen()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, OneStatement, async (store, plan) =>
        {
            plan.Disarm();
            var created = await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
            return (Arm: true, Act: async () =>
            {
                await AttemptAsync(() => Gateway().SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("access"), new SecretValue("refresh"), The.Now.AddHours(1), The.Now.AddMinutes(55), default));
                await AssertConsistentAsync(store, Gateway());

                var credentials = await Gateway().GetCredentialsAsync(The.CompanyId, default);
                (credentials!.AccessToken is null).Should().Be(credentials.RefreshToken is null, "both tokens or neither");
                credentials.AccessToken?.Reveal().Should().Be("access");
                (await AuditAsync(store)).Should().ContainSingle("storing tokens is not a credential change");
            });
        });

    [SkippableFact]
    public Task SetAsync_RefusalAuditFailsAtEachStep_NothingChangesAndTheRefusalIsNeverLostSilently()
        => ForEachFaultAsync(FaultTarget.AuditAppend, NoAuditInTheWrite, async (store, plan) =>
        {
            plan.Disarm();
            var created = await store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
            return (Arm: true, Act: async () =>
            {
                var error = await AttemptAsync(() => store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(ApiKeyKind.ApiKey, new SecretValue("intruder")), new CredentialChangeContext("intruder", null)));
                error.Should().NotBeNull("a refusal always ends in an exception");
                await AssertConsistentAsync(store, Gateway());

                (await store.GetStatusAsync(The.CompanyId)).Should().BeEquivalentTo(created);
                var refusals = (await AuditAsync(store)).Count(e => e.Outcome == AuditOutcome.Refused);
                (refusals == 1 || error is InjectedFaultException).Should().BeTrue("either the refusal is audited, or the caller hears that auditing failed");
            });
        });

    [SkippableFact]
    public Task RewrapAllAsync_FailsAtARowInTheMiddle_EveryCredentialOpensAndARerunFinishes()
        => ForEachFaultAsync(FaultTarget.CredentialWrite, NoAuditInTheWrite, async (store, plan) =>
        {
            plan.Disarm();
            for (var i = 0; i < 12; i++)
            {
                await store.SetAsync($"company-{i:D2}", The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue($"secret-{i}")), The.AdminWithMfa);
            }

            return (Arm: false, Act: async () =>
            {
                var rotated = RotatedStore!(store);
                plan.Arm(CurrentFault, FaultTarget.CredentialWrite, skip: 3);
                await AttemptAsync(() => rotated.RewrapAllAsync());
                plan.Disarm();
                await AssertConsistentAsync(rotated, Gateway(Some.RotatedVault()));

                var result = await rotated.RewrapAllAsync();

                result.FailedCompanyIds.Should().BeEmpty();
                var newKeyOnly = NewKeyOnlyStore!(store);
                var newKeyOnlyGateway = Gateway(Some.NewKeyOnlyVault());
                for (var i = 0; i < 12; i++)
                {
                    (await newKeyOnlyGateway.GetCredentialsAsync($"company-{i:D2}", default))!.ClientSecret!.Reveal().Should().Be($"secret-{i}");
                }

                (await newKeyOnly.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
            });
        });

    private Fault CurrentFault { get; set; }

    private Func<CredentialStore, CredentialStore>? RotatedStore { get; set; }

    private Func<CredentialStore, CredentialStore>? NewKeyOnlyStore { get; set; }

    /// <summary>The storage of the scenario running now, for <see cref="Gateway"/>.</summary>
    private ICredentialRepository? CurrentRepository { get; set; }

    /// <summary>The token path's gateway over the current storage, with the original key unless told otherwise.</summary>
    private TokenPathGateway Gateway(CredentialVault? vault = null) => Some.Gateway(CurrentRepository!, vault: vault ?? Some.Vault());

    /// <summary>Every secret opens, the audit chain verifies, and each credential change has exactly its audit entry.</summary>
    private static async Task AssertConsistentAsync(CredentialStore store, TokenPathGateway gateway)
    {
        (await store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        var audit = await AuditAsync(store);
        foreach (var group in audit.Where(e => e.Outcome == AuditOutcome.Succeeded && e.CompanyId is not null).GroupBy(e => e.CompanyId!))
        {
            var status = await store.GetStatusAsync(group.Key);
            var credentials = await gateway.GetCredentialsAsync(group.Key, default);
            var changes = group.Count(e => e.Action is AuditAction.CredentialsCreated or AuditAction.CredentialsUpdated);
            if (group.Last().Action == AuditAction.CredentialsDeleted)
            {
                status.Should().BeNull($"company {group.Key}: the deletion is audited, so the row is gone");
            }
            else
            {
                status!.Version.Should().Be(changes, $"company {group.Key}: every version has its audit entry and every entry its version");
                credentials!.Secrets().Should().NotBeEmpty();
            }
        }
    }

    private static async Task<List<AuditEntry>> AuditAsync(CredentialStore store) => [.. await store.ReadAuditTrailAsync(0, 10_000)];

    private static async Task<Exception?> AttemptAsync(Func<Task> act)
    {
        try
        {
            await act();
            return null;
        }
        catch (InjectedFaultException ex)
        {
            return ex;
        }
        catch (CredentialChangeRefusedException ex)
        {
            return ex;
        }
    }

    /// <summary>Writes that carry no audit entry (tokens, rewraps, a lone append) have no "during" to fail in.</summary>
    private static readonly Fault[] NoAuditInTheWrite = [Fault.DuringWrite];

    /// <summary>A write that is one statement, outside a transaction (saving tokens with the lease release): nothing between, no commit.</summary>
    private static readonly Fault[] OneStatement = [Fault.DuringWrite, Fault.AtCommit];

    private Task ForEachFaultAsync(FaultTarget target, Func<CredentialStore, FaultPlan, Task<(bool Arm, Func<Task> Act)>> scenario)
        => ForEachFaultAsync(target, [], scenario);

    /// <summary>Runs the scenario once per supported fault, on fresh storage each time, and checks the fault fired.</summary>
    private async Task ForEachFaultAsync(FaultTarget target, Fault[] notApplicable, Func<CredentialStore, FaultPlan, Task<(bool Arm, Func<Task> Act)>> scenario)
    {
        foreach (var fault in SupportedFaults.Except(notApplicable))
        {
            var plan = new FaultPlan();
            var (repository, lifetime) = await CreateStorageAsync(plan);
            await using (lifetime)
            {
                CurrentFault = fault;
                CurrentRepository = repository;
                var store = Some.Store(repository, vault: Some.Vault());
                // Batches of two: the rotation's twelve companies take six batch writes, so a fault can strike in the middle.
                RotatedStore = _ => Some.Store(repository, vault: Some.RotatedVault(), options: new CredentialStoreOptions { RotationBatchSize = 2 });
                NewKeyOnlyStore = _ => Some.Store(repository, vault: Some.NewKeyOnlyVault());
                try
                {
                    var (arm, act) = await scenario(store, plan);
                    if (arm)
                    {
                        plan.Arm(fault, target);
                    }

                    await act();
                }
                catch (Exception ex) when (ex is not InjectedFaultException)
                {
                    throw new InvalidOperationException($"With fault {fault} of {target}: {ex.Message}", ex);
                }

                plan.Fired.Should().Be(1, $"the {fault} fault of {target} struck once");
            }
        }
    }

    /// <summary>For assertion messages: what was stored, as text.</summary>
    protected static string Describe(IEnumerable<AuditEntry> audit)
        => new StringBuilder().AppendJoin(Environment.NewLine, audit.Select(e => $"{e.Sequence} {e.Action} {e.Outcome} {e.CompanyId}")).ToString();
}
