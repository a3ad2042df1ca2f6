using System.Text;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Sequences an attacker who can write the database tries against the kind model (found in review): fold records
/// into a name, put back an old seal or secret, plant names that break the audit, and what a reset then keeps.
/// </summary>
public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task GetCredentialsAsync_SettingFoldedIntoANameThatEncodesTheSame_IsCheckedAgainAndRefused()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithoutSetting(OAuthClientCredentialsKind.Scope), The.AdminWithMfa);
        var first = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        var row = (await Repository.GetAsync(The.CompanyId))!;

        // "api_endpoint" and "client_id" folded into one name: the v3 encoding of the row is byte for byte the same.
        var apiEndpoint = row.Settings["api_endpoint"];
        var folded = new Dictionary<string, string>(row.Settings, StringComparer.Ordinal);
        folded.Remove("api_endpoint");
        folded.Remove("client_id");
        folded[$"api_endpoint:{Encoding.UTF8.GetByteCount(apiEndpoint)}:{apiEndpoint}\nsetting.client_id"] = row.Settings["client_id"];
        var tampered = row with { Settings = folded, Version = row.Version + 1, RowVersion = row.RowVersion + 1 };
        Internal.CredentialDestination.Encode(tampered).Should().Equal(Internal.CredentialDestination.Encode(row), "the attack relies on it");
        (await Repository.UpdateAsync(tampered, row.RowVersion, null)).Should().BeTrue();

        // The reuse of the last read compares the rows themselves, so the full check runs, and refuses.
        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.CompanyId, first, default)).Should().ThrowAsync<CredentialVaultException>();
        var status = (await Store.GetStatusAsync(The.CompanyId))!;
        status.IsDestinationIntact.Should().BeFalse();
        status.TamperedFields.Should().AllSatisfy(f => f.Should().MatchRegex("^[a-z0-9._-]{1,64}$", "planted names are shown only in their audit form"));
    }

    [SkippableFact]
    public async Task DeleteAsync_HundredsOfPlantedNames_StillDeletesWithAShortAuditDetail()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        await TamperWithRowAsync(r =>
        {
            var settings = new Dictionary<string, string>(r.Settings, StringComparer.Ordinal);
            for (var i = 0; i < 300; i++)
            {
                settings[$"planted-{i}-" + new string('x', 40) + "\r\nLine"] = "v";
            }

            return r with { Settings = settings };
        });

        (await Store.GetStatusAsync(The.CompanyId))!.TamperedFields.Should().HaveCount(Internal.CredentialRowAccess.MaxTamperedFieldsShown);
        (await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa)).Should().BeTrue("planted names cannot make a company undeletable");
        var entry = (await ReadWholeAuditAsync()).Last();
        entry.Action.Should().Be(AuditAction.CredentialsDeleted);
        entry.Detail.Should().NotContain("\r").And.NotContain("\n");
    }

    [SkippableFact]
    public async Task SetAsync_ResetAfterASecretWasSwapped_DoesNotKeepTheSwappedSecret()
    {
        // A company's key is replaced, in storage, by another envelope of the same field and company: an old key put
        // back from a backup. The status names it; a reset that does not set it again must not keep it.
        await Store.SetAsync(The.CompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue("old-key-from-the-backup")), The.AdminWithMfa);
        var old = (await Repository.GetAsync(The.CompanyId))!.ApiKey!;
        await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecret(ApiKeyKind.ApiKey, new SecretValue(The.ApiKey)), The.AdminWithMfa);
        await TamperWithRowAsync(r => r.WithSecretEnvelope(ApiKeyKind.ApiKey, old));
        (await Store.GetStatusAsync(The.CompanyId))!.TamperedFields.Should().Equal("api_key");
        var callsBefore = Mfa.Calls;

        var reset = () => Store.SetAsync(The.CompanyId, The.AspCredentials with { Secrets = new Dictionary<string, SecretValue?>() }, The.AdminWithMfa);

        (await reset.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Secrets[\"api_key\"]");
        Mfa.Calls.Should().Be(callsBefore, "refused before the proof is used");
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        (await Gateway.GetCredentialsAsync(The.CompanyId, default))!.ApiKey!.Reveal().Should().Be(The.ApiKey);
    }

    [SkippableFact]
    public async Task GetCredentialsAsync_LegacySealWhenNoLongerAccepted_IsTamperedUntilARotationSealsItAgain()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithoutSetting(OAuthClientCredentialsKind.Scope), The.AdminWithMfa);

        // The seal as 0.1 wrote it for these columns (System.Text.Json, mode name, null fields), which binds no secret.
        var v1 = Encoding.UTF8.GetBytes(
            $$"""{"Mode":"DirectDctce","Environment":"Production","ClientId":"{{The.ClientId}}","TokenEndpoint":"{{The.TokenEndpoint.AbsoluteUri}}","ApiEndpoint":"{{The.ApiEndpoint.AbsoluteUri}}","Scope":null,"AspEndpoint":null,"AspIdentifier":null,"AspProviderName":null}""");
        await TamperWithRowAsync(r => r with { DestinationSeal = Some.Vault().Seal(v1, The.CompanyId, "row.destination") });
        (await Store.GetStatusAsync(The.CompanyId))!.IsDestinationIntact.Should().BeTrue("0.1 seals are accepted by default, so an upgrade keeps working");

        var strict = CreateStore(Some.Vault(), new CredentialStoreOptions { AcceptLegacyDestinationSeals = false });
        (await strict.GetStatusAsync(The.CompanyId))!.IsDestinationIntact.Should().BeFalse("a 0.1 seal binds no secret");

        (await Store.RewrapAllAsync()).Rewrapped.Should().Be(1, "a rotation seals rows with an older seal again, even under the active key");
        (await strict.GetStatusAsync(The.CompanyId))!.IsDestinationIntact.Should().BeTrue();
    }
}
