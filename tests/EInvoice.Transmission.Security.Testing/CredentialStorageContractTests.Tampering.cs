using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Sequences a database writer and a routine administrator produce together (issue #10, item 1): a column edited in
/// storage is never adopted and re-sealed by a later partial update; only a full, MFA-confirmed replacement of the
/// destination is, and it is audited as such. Also the order of checks around the MFA proof (items 6 and 8).
/// </summary>
public abstract partial class CredentialStorageContractTests
{
    private const string AttackerTokenEndpoint = "https://attacker.example/token";

    [SkippableTheory]
    [InlineData("client_secret")]
    [InlineData("scope")]
    [InlineData("nothing")]
    public async Task SetAsync_TokenEndpointTamperedThenPartialUpdate_IsRefusedBeforeMfaAndNothingIsResealed(string changed)
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", AttackerTokenEndpoint));
        var before = await Repository.GetAsync(The.CompanyId);
        var callsBefore = Mfa.Calls;
        var update = changed switch
        {
            "client_secret" => new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("new-secret-after-tamper")),
            "scope" => new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit"),
            _ => new CredentialUpdate(),
        };

        var act = () => Store.SetAsync(The.CompanyId, update, The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("integrity check").And.Contain("token_endpoint");
        Mfa.Calls.Should().Be(callsBefore, "the proof is not used by a change that is refused anyway");
        (await Repository.GetAsync(The.CompanyId)).Should().BeEquivalentTo(before, "nothing was stored, nothing re-sealed");
        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.CompanyId, default)).Should().ThrowAsync<CredentialVaultException>();
    }

    [SkippableFact]
    public async Task GetStatusAsync_DestinationTampered_FlagsItAndNamesTheFields()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", AttackerTokenEndpoint).WithSetting("scope", "everything"));

        var status = await Store.GetStatusAsync(The.CompanyId);

        status!.IsDestinationIntact.Should().BeFalse();
        status.IsConfigured.Should().BeFalse("credentials whose destination failed its check are not usable");
        status.TamperedFields.Should().BeEquivalentTo(["token_endpoint", "scope"]);
        status.TokenEndpoint.Should().Be(The.TokenEndpoint, "the status shows the destination as it was sealed, never what was planted");
        status.Scope.Should().Be(The.DirectCredentials.Scope);
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1309 && r.Level == LogLevel.Error);
    }

    [SkippableFact]
    public async Task GetStatusAsync_Untampered_IsIntact()
    {
        var status = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        status.IsDestinationIntact.Should().BeTrue();
        status.TamperedFields.Should().BeEmpty();
        (await Store.GetStatusAsync(The.CompanyId))!.IsDestinationIntact.Should().BeTrue();
    }

    [SkippableFact]
    public async Task SetAsync_DestinationTamperedThenReplacedInFull_IsRestoredKeepsTheSecretAndIsAuditedAsAReset()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", AttackerTokenEndpoint).WithSetting("header.X-Forwarded-Host", "attacker.example"));

        var reset = new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.ClientId, The.ClientId).WithSetting(OAuthClientCredentialsKind.TokenEndpoint, The.TokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, The.ApiEndpoint);
        var status = await Store.SetAsync(The.CompanyId, reset, The.AdminWithMfa);

        status.IsDestinationIntact.Should().BeTrue();
        status.Settings.Keys.Should().BeEquivalentTo(["client_id", "token_endpoint", "api_endpoint"], "settings the reset does not set are cleared");
        var credentials = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        credentials!.TokenEndpoint.Should().Be(The.TokenEndpoint);
        credentials.ClientSecret!.Reveal().Should().Be(The.ClientSecret, "the secret was kept; only the destination was replaced");
        var audit = (await ReadWholeAuditAsync()).Last();
        audit.Action.Should().Be(AuditAction.DestinationReset);
        audit.Fields.Should().Contain(["kind", "environment", "client_id", "token_endpoint", "api_endpoint", "scope", "header.x-forwarded-host"],
            "a reset names what it sets and what it clears");
        audit.Detail.Should().Contain("token_endpoint").And.Contain("header.x-forwarded-host");
        Mfa.Contexts[^1].Action.Should().Be(AuditAction.DestinationReset);
    }

    [SkippableFact]
    public async Task SetAsync_ResetThatBreaksTheRules_IsRefusedBeforeMfa()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", AttackerTokenEndpoint));
        var callsBefore = Mfa.Calls;

        // The reset leaves out the client id, which a direct connection needs.
        var act = () => Store.SetAsync(
            The.CompanyId,
            new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, The.TokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, The.ApiEndpoint),
            The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Settings[\"client_id\"]");
        Mfa.Calls.Should().Be(callsBefore);
    }

    [SkippableFact]
    public async Task SetAsync_SealMissing_PartialSaveRefusedFullReplacementAccepted()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("api_endpoint", "https://attacker.example/asp/") with { DestinationSeal = null });

        await FluentActions.Awaiting(() => Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.ProviderName, "Renamed ASP"), The.AdminWithMfa))
            .Should().ThrowAsync<ArgumentException>();
        var unsealed = (await Store.GetStatusAsync(The.CompanyId))!;
        unsealed.TamperedFields.Should().BeEquivalentTo(["kind", "environment", "api_endpoint", "identifier", "provider_name", "api_key"], "without a seal nothing of the destination can be trusted");
        unsealed.AspEndpoint.Should().BeNull("nothing planted in storage is shown as if it could be trusted");

        // Without a seal no envelope can be told from one put back from a backup: the reset sets the secrets again.
        await FluentActions.Awaiting(() => Store.SetAsync(The.CompanyId, The.AspCredentials with { Secrets = new Dictionary<string, SecretValue?>() }, The.AdminWithMfa))
            .Should().ThrowAsync<ArgumentException>();
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        (await Gateway.GetCredentialsAsync(The.CompanyId, default))!.ApiKey!.Reveal().Should().Be(The.ApiKey);
        (await Store.GetStatusAsync(The.CompanyId))!.AspEndpoint.Should().Be(The.AspEndpoint);
    }

    [SkippableFact]
    public async Task DeleteAsync_DestinationTampered_DeletesAndTheAuditSaysSo()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("api_endpoint", "https://attacker.example/"));

        (await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa)).Should().BeTrue();

        (await ReadWholeAuditAsync()).Last().Detail.Should().Contain("api_endpoint");
    }

    [SkippableFact]
    public async Task SetAsync_MergedRowBreaksTodaysRules_IsRefusedBeforeMfa()
    {
        // Stored while plain http to loopback was allowed; the option has since been turned off.
        var lenient = CreateStore(Some.Vault(), new CredentialStoreOptions { AllowHttpOnLoopback = true });
        await lenient.SetAsync(The.CompanyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://127.0.0.1:5000/token")), The.AdminWithMfa);
        var callsBefore = Mfa.Calls;

        var act = () => Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")), The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Settings[\"token_endpoint\"]").And.Contain("https");
        Mfa.Calls.Should().Be(callsBefore);
    }

    [SkippableFact]
    public async Task SetAsync_VerifierIsToldTheCompanyTheActionAndTheFields()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")).WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit"), The.AdminWithMfa);
        await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa);

        Mfa.Contexts.Select(c => (c.CompanyId, c.Action, c.Actor)).Should().Equal(
            (The.CompanyId, AuditAction.CredentialsCreated, The.Admin),
            (The.CompanyId, AuditAction.CredentialsUpdated, The.Admin),
            (The.CompanyId, AuditAction.CredentialsDeleted, The.Admin));
        Mfa.Contexts[1].Fields.Should().BeEquivalentTo(["client_secret", "scope"]);
        Mfa.Contexts[0].ToString().Should().NotContain(The.MfaCode);
    }

    [SkippableFact]
    public async Task SetAsync_CreateWithoutItsSecret_ThrowsBeforeTheProofIsUsed()
    {
        var act = () => Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, (SecretValue?)null), The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Secrets[\"client_secret\"]");
        Mfa.Calls.Should().Be(0);
    }

    [SkippableFact]
    public async Task SetAsync_VerifierThrows_IsAuditedAsRefusedAndTheExceptionReachesTheCaller()
    {
        Mfa.Failure = new TimeoutException("identity system down");

        var act = () => Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        await act.Should().ThrowAsync<TimeoutException>();
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new
        {
            Action = AuditAction.CredentialsCreated,
            Outcome = AuditOutcome.Refused,
            Detail = nameof(CredentialChangeRefusalReason.MfaVerifierFailed),
        });
    }

    [SkippableTheory]
    [InlineData("   ")]
    [InlineData("secret\r\nX-Injected: 1")]
    [InlineData("secret\n")]
    [InlineData("tab\tinside")]
    [InlineData("[redacted]")]
    [InlineData(" [REDACTED] ")]
    public async Task SetAsync_UnusableSecret_IsRefusedNothingStoredProofUnused(string secret)
    {
        var act = () => Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(secret)), The.AdminWithMfa);
        var asp = () => Store.SetAsync(The.CompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(secret)), The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Secrets[\"client_secret\"]").And.NotContain("X-Injected");
        (await asp.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Secrets[\"api_key\"]");
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
        Mfa.Calls.Should().Be(0);
    }

    [SkippableFact]
    public async Task RewrapAllAsync_ActorNamed_IsRecordedInTheAudit()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        await CreateStore(Some.RotatedVault()).RewrapAllAsync(actor: "ops@erp.example");

        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new { Action = AuditAction.KeysRotated, Actor = "ops@erp.example" });
        await FluentActions.Awaiting(() => Store.RewrapAllAsync(actor: "bad\nactor")).Should().ThrowAsync<ArgumentException>();
    }

    [SkippableFact]
    public async Task GetCredentialsAsync_CurrentSecretNextToAnOlderDestinationAndItsSeal_RefusesToUseIt()
    {
        // The admin once used another token endpoint (whose domain may since have lapsed), then moved and changed the secret.
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("https://old-idp.example/token")), The.AdminWithMfa);
        var old = (await Repository.GetAsync(The.CompanyId))!;
        await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, The.TokenEndpoint).WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("new-secret-2026")), The.AdminWithMfa);

        // A database writer restores the old destination with its genuine seal, keeping the current secret.
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", old.TokenEndpoint) with { DestinationSeal = old.DestinationSeal });

        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.CompanyId, default)).Should().ThrowAsync<CredentialVaultException>(
            "the seal names the secret envelope it was written with");
        (await Store.GetStatusAsync(The.CompanyId))!.TamperedFields.Should().Equal("client_secret");
    }

    [SkippableFact]
    public async Task SetAsync_OldSecretPutBackBehindManyPlantedSettingsThenReset_NeverKeepsTheOldSecret()
    {
        // The status shows at most a page of changed fields; which secrets a reset keeps must not depend on that page.
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        var oldSecret = (await Repository.GetAsync(The.CompanyId))!.Secrets[OAuthClientCredentialsKind.ClientSecret];
        await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("new-secret-2026")), The.AdminWithMfa);
        await TamperWithRowAsync(r =>
        {
            for (var i = 0; i < 30; i++)
            {
                r = r.WithSetting($"a{i:00}", "planted");
            }

            return r.WithSecretEnvelope(OAuthClientCredentialsKind.ClientSecret, oldSecret);
        });

        var reset = new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.ClientId, The.ClientId).WithSetting(OAuthClientCredentialsKind.TokenEndpoint, The.TokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, The.ApiEndpoint);
        await FluentActions.Awaiting(() => Store.SetAsync(The.CompanyId, reset, The.AdminWithMfa)).Should().ThrowAsync<ArgumentException>(
            "the put-back secret is not kept, so a reset that does not set the secret again leaves the credentials without one");

        (await Repository.GetAsync(The.CompanyId))!.Secrets[OAuthClientCredentialsKind.ClientSecret].Should().Equal(oldSecret, "nothing was stored");
        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.CompanyId, default)).Should().ThrowAsync<CredentialVaultException>();
    }

    [SkippableFact]
    public async Task RewrapAllAsync_DestinationTampered_LeavesTheRowAndReportsTheCompany()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await Store.SetAsync(The.OtherCompanyId, The.AspCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSetting("token_endpoint", AttackerTokenEndpoint));

        var result = await CreateStore(Some.RotatedVault()).RewrapAllAsync();

        result.FailedCompanyIds.Should().Equal(The.CompanyId);
        result.Rewrapped.Should().Be(1);
        var status = await CreateStore(Some.RotatedVault()).GetStatusAsync(The.CompanyId);
        status!.IsDestinationIntact.Should().BeFalse("a rotation never seals what someone changed in storage");
    }

    /// <summary>Someone with write access to the database, and no key, changes the stored row.</summary>
    private async Task TamperWithRowAsync(Func<StoredCredential, StoredCredential> tamper)
    {
        var row = (await Repository.GetAsync(The.CompanyId))!;
        (await Repository.UpdateAsync(tamper(row) with { RowVersion = row.RowVersion + 1 }, row.RowVersion, null)).Should().BeTrue();
    }
}
