using System.Text;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Testing;

public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task ListStatusesAsync_RowWithACompanyIdNoCallerCouldStore_IsReportedTamperedAndTheOthersListed()
    {
        // Written into storage directly: a control character in the id, which every public method refuses.
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        var good = (await Repository.GetAsync(The.CompanyId))!;
        (await Repository.InsertAsync(good with { CompanyId = "ZZ-forged\u001b[2J" }, null)).Should().BeTrue();

        var statuses = await Store.ListStatusesAsync();

        statuses.Select(s => s.CompanyId).Should().Equal(The.CompanyId, "ZZ-forged\u001b[2J");
        statuses[0].IsDestinationIntact.Should().BeTrue();
        statuses[1].IsDestinationIntact.Should().BeFalse("its seal cannot be opened under an id the vault refuses");
        statuses[1].IsConfigured.Should().BeFalse();
    }

    [SkippableFact]
    public async Task GetStatusAsync_UnknownCompany_ReturnsNull()
    {
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
    }

    [SkippableFact]
    public async Task SetAsync_NewDirectCredentials_StatusShowsEverythingButTheSecret()
    {
        var status = await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        status.Should().BeEquivalentTo(await Store.GetStatusAsync(The.CompanyId));
        status.Kind.Should().Be(OAuthClientCredentialsKind.KindName);
        status.Environment.Should().Be(TransmissionEnvironment.Production);
        status.IsConfigured.Should().BeTrue();
        status.IsValid.Should().BeNull("nothing validated the new credentials yet");
        status.ClientId.Should().Be(The.ClientId);
        status.HasClientSecret.Should().BeTrue();
        status.HasApiKey.Should().BeFalse();
        status.TokenEndpoint.Should().Be(The.TokenEndpoint);
        status.ConfiguredBy.Should().Be(The.Admin);
        status.ConfiguredAt.Should().Be(The.Now);
        status.Version.Should().Be(1);
        status.ToString().Should().NotContain(The.ClientSecret);
        System.Text.Json.JsonSerializer.Serialize(status).Should().NotContain(The.ClientSecret);

        var audit = await ReadWholeAuditAsync();
        audit.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            CompanyId = The.CompanyId,
            Action = AuditAction.CredentialsCreated,
            Actor = The.Admin,
            Outcome = AuditOutcome.Succeeded,
            MfaMethod = "totp",
        });
        audit[0].Fields.Should().Contain(["kind", "environment", "client_id", "client_secret", "token_endpoint", "api_endpoint", "scope"]);
    }

    [SkippableFact]
    public async Task SetAsync_CanarySecretsThroughEveryPath_AppearNowhereInRawStorage()
    {
        const string ClientSecretCanary = "CANARY-client-secret-5f1e9a";
        const string ApiKeyCanary = "CANARY-api-key-0b7d42";
        const string AccessTokenCanary = "CANARY-access-token-c3a8e1";
        const string RefreshTokenCanary = "CANARY-refresh-token-d94f20";

        var direct = await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(ClientSecretCanary)), The.AdminWithMfa);
        await Store.SetAsync(The.OtherCompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKeyCanary)), The.AdminWithMfa);
        await Gateway.SaveTokensAsync(The.CompanyId, direct.Version, new SecretValue(AccessTokenCanary), new SecretValue(RefreshTokenCanary), The.Now.AddHours(1), The.Now.AddMinutes(55), default);
        var credentials = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        await Gateway.RecordConnectionTestAsync(
            The.CompanyId, direct.Version, new ConnectionTestResult(The.Now, false, $"rejected client_secret={ClientSecretCanary} token {AccessTokenCanary}"), credentials!.Secrets(), changesValidity: true, default);
        await FluentActions.Awaiting(() => Store.SetAsync(The.OtherCompanyId, new CredentialUpdate().WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKeyCanary)), new CredentialChangeContext(The.Admin, null)))
            .Should().ThrowAsync<CredentialChangeRefusedException>();

        var raw = await ReadRawStorageAsync();

        raw.Should().Contain(The.CompanyId, "the dump must actually show the stored rows");
        foreach (var canary in new[] { ClientSecretCanary, ApiKeyCanary, AccessTokenCanary, RefreshTokenCanary, The.Key })
        {
            raw.Should().NotContain(canary);
            raw.Should().NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(canary)));
        }

        credentials.ClientSecret!.Reveal().Should().Be(ClientSecretCanary, "the secret is stored, only sealed");
        (await Store.GetStatusAsync(The.CompanyId))!.LastConnectionTest!.Error.Should().Be("rejected client_secret=[redacted] token [redacted]");
    }

    [SkippableFact]
    public async Task SetAsync_TwoUpdatesFromTheSameVersion_ExactlyOneWins()
    {
        var created = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        var results = await Task.WhenAll(
            Attempt(new CredentialUpdate { ExpectedVersion = created.Version }.WithSetting(ApiKeyKind.Identifier, "first")),
            Attempt(new CredentialUpdate { ExpectedVersion = created.Version }.WithSetting(ApiKeyKind.Identifier, "second")));

        results.Count(r => r is null).Should().Be(1, "exactly one update wins");
        results.Count(r => r is CredentialConcurrencyException).Should().Be(1, "the other gets a concurrency error");
        var status = await Store.GetStatusAsync(The.CompanyId);
        status!.Version.Should().Be(created.Version + 1);
        (await ReadWholeAuditAsync()).Should().HaveCount(2);

        async Task<Exception?> Attempt(CredentialUpdate update)
        {
            try
            {
                await Task.Yield();
                await Store.SetAsync(The.CompanyId, update, The.AdminWithMfa);
                return null;
            }
            catch (CredentialConcurrencyException ex)
            {
                return ex;
            }
        }
    }

    [SkippableFact]
    public async Task SetAsync_StaleExpectedVersion_ThrowsAndStoresNothing()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.Identifier, "v2"), The.AdminWithMfa);

        var act = () => Store.SetAsync(The.CompanyId, new CredentialUpdate { ExpectedVersion = 1 }.WithSetting(ApiKeyKind.Identifier, "stale"), The.AdminWithMfa);

        (await act.Should().ThrowAsync<CredentialConcurrencyException>()).Which.ActualVersion.Should().Be(2);
        (await Store.GetStatusAsync(The.CompanyId))!.AspIdentifier.Should().Be("v2");
    }

    [SkippableFact]
    public async Task SetAsync_ExpectedVersionZeroButCompanyExists_ThrowsCredentialConcurrencyException()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        var act = () => Store.SetAsync(The.CompanyId, The.AspCredentials with { ExpectedVersion = 0 }, The.AdminWithMfa);

        await act.Should().ThrowAsync<CredentialConcurrencyException>();
    }

    [SkippableFact]
    public async Task SetAsync_200ParallelPartialUpdatesWithRetry_EachIsAppliedExactlyOnce()
    {
        const int Updates = 200;
        var created = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        var auditBefore = (await ReadWholeAuditAsync()).Count;

        await Task.WhenAll(Enumerable.Range(0, Updates).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var current = await Store.GetStatusAsync(The.CompanyId);
                try
                {
                    await Store.SetAsync(The.CompanyId, new CredentialUpdate { ExpectedVersion = current!.Version }.WithSetting(ApiKeyKind.Identifier, $"participant-{i}"), The.AdminWithMfa);
                    return;
                }
                catch (CredentialConcurrencyException)
                {
                    // Someone else won this round: read again and retry, as a real client would.
                }
            }
        })));

        var status = await Store.GetStatusAsync(The.CompanyId);
        status!.Version.Should().Be(created.Version + Updates);
        var audit = await ReadWholeAuditAsync();
        audit.Should().HaveCount(auditBefore + Updates);
        audit.Skip(auditBefore).Should().OnlyContain(e => e.Action == AuditAction.CredentialsUpdated && e.Fields.SequenceEqual(new[] { "identifier" }));
        (await Store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
        var credentials = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        credentials!.ApiKey!.Reveal().Should().Be(The.ApiKey, "partial updates never touched the API key");
    }

    [SkippableTheory]
    [InlineData(CredentialChangeRefusalReason.MfaMissing)]
    [InlineData(CredentialChangeRefusalReason.MfaRejected)]
    [InlineData(CredentialChangeRefusalReason.MfaExpired)]
    public async Task SetAsync_WithoutValidRecentMfa_IsRefusedAuditedAndStoresNothing(CredentialChangeRefusalReason reason)
    {
        var created = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        var context = reason switch
        {
            CredentialChangeRefusalReason.MfaMissing => new CredentialChangeContext("intruder", null),
            CredentialChangeRefusalReason.MfaRejected => new CredentialChangeContext("intruder", new MfaProof("totp", new SecretValue("000000"))),
            _ => new CredentialChangeContext("intruder", The.Mfa),
        };
        Mfa.VerifiedAt = () => Clock.GetUtcNow() - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1);

        var act = () => Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(ApiKeyKind.ApiKey, new SecretValue("attacker-key")).WithSetting(ApiKeyKind.ApiEndpoint, new Uri("https://evil.example/")), context);

        var refused = (await act.Should().ThrowAsync<CredentialChangeRefusedException>()).Which;
        refused.Reason.Should().Be(reason);
        refused.Message.Should().NotContain("attacker-key");
        var status = await Store.GetStatusAsync(The.CompanyId);
        status.Should().BeEquivalentTo(created, "nothing changed");
        (await Gateway.GetCredentialsAsync(The.CompanyId, default))!.ApiKey!.Reveal().Should().Be(The.ApiKey);

        var entry = (await ReadWholeAuditAsync()).Last();
        entry.Outcome.Should().Be(AuditOutcome.Refused);
        entry.Actor.Should().Be("intruder");
        entry.Detail.Should().Be(reason.ToString());
        entry.Fields.Should().BeEquivalentTo("api_key", "api_endpoint");
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1301 && r.Level == LogLevel.Warning);
    }

    [SkippableFact]
    public async Task SetAsync_MfaDatedInTheFuture_IsRefused()
    {
        Mfa.VerifiedAt = () => Clock.GetUtcNow().AddMinutes(10);

        var act = () => Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        (await act.Should().ThrowAsync<CredentialChangeRefusedException>()).Which.Reason.Should().Be(CredentialChangeRefusalReason.MfaInFuture);
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
    }

    [SkippableFact]
    public async Task SetAsync_MfaJustInsideTheWindow_IsAccepted()
    {
        Mfa.VerifiedAt = () => Clock.GetUtcNow() - TimeSpan.FromMinutes(5);

        var status = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        status.Version.Should().Be(1);
    }

    [SkippableFact]
    public async Task DeleteAsync_WithoutMfa_IsRefusedAndAudited()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        var act = () => Store.DeleteAsync(The.CompanyId, new CredentialChangeContext("intruder", null));

        await act.Should().ThrowAsync<CredentialChangeRefusedException>();
        (await Store.GetStatusAsync(The.CompanyId)).Should().NotBeNull();
        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new { Action = AuditAction.CredentialsDeleted, Outcome = AuditOutcome.Refused });
    }

    [SkippableFact]
    public async Task DeleteAsync_WithMfa_DeletesAndAudits()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        (await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa)).Should().BeTrue();
        (await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa)).Should().BeFalse();

        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new { Action = AuditAction.CredentialsDeleted, Outcome = AuditOutcome.Succeeded });
    }

    [SkippableFact]
    public async Task SetAsync_PartialUpdateOfTheEndpoint_KeepsEverySecretAsItWas()
    {
        var withHeader = The.AspCredentials.WithSecret("header.Ocp-Apim-Subscription-Key", new SecretValue("subscription-key"));
        await Store.SetAsync(The.CompanyId, withHeader, The.AdminWithMfa);
        var before = await Repository.GetAsync(The.CompanyId);

        await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSetting(ApiKeyKind.ApiEndpoint, new Uri("https://api2.asp.example/")), The.AdminWithMfa);

        var after = await Repository.GetAsync(The.CompanyId);
        after!.ApiKey.Should().Equal(before!.ApiKey, "an untouched secret is not even re-sealed");
        after!.Secrets["header.Ocp-Apim-Subscription-Key"].Should().Equal(before!.Secrets["header.Ocp-Apim-Subscription-Key"]);
        var credentials = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        credentials!.ApiKey!.Reveal().Should().Be(The.ApiKey);
        credentials!.Values.GetSecret("header.Ocp-Apim-Subscription-Key")!.Reveal().Should().Be("subscription-key");
        credentials.AspEndpoint.Should().Be(new Uri("https://api2.asp.example/"));
        (await ReadWholeAuditAsync()).Last().Fields.Should().Equal("api_endpoint");
    }

    [SkippableFact]
    public async Task SetAsync_KindChanged_KeepsOnlyTheFieldsTheNewKindDeclaresAndNamesTheOthers()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        var status = await Store.SetAsync(
            The.CompanyId,
            new CredentialUpdate { Kind = ApiKeyKind.KindName }.WithSecret(ApiKeyKind.ApiKey, new SecretValue(The.ApiKey)),
            The.AdminWithMfa);

        status.Kind.Should().Be(ApiKeyKind.KindName);
        status.SecretNames.Should().Equal(ApiKeyKind.ApiKey);
        status.Settings.Should().Equal(new Dictionary<string, string> { [ApiKeyKind.ApiEndpoint] = The.ApiEndpoint.AbsoluteUri }, "api_endpoint is a field of both kinds");
        (await Repository.GetAsync(The.CompanyId))!.Secrets.Keys.Should().Equal(ApiKeyKind.ApiKey);
        (await ReadWholeAuditAsync()).Last().Fields.Should().BeEquivalentTo("kind", "client_id", "token_endpoint", "scope", "client_secret", "api_key");
    }

    [SkippableFact]
    public async Task SetAsync_NothingChanges_WritesNothing()
    {
        var created = await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        var status = await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.Identifier, The.AspCredentials.AspIdentifier), The.AdminWithMfa);

        status.Version.Should().Be(created.Version);
        (await ReadWholeAuditAsync()).Should().HaveCount(1);
    }

    [SkippableFact]
    public async Task SetAsync_CredentialsChange_ClearsCachedTokens()
    {
        var created = await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        (await Gateway.SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("access"), null, The.Now.AddHours(1), The.Now.AddMinutes(55), default)).Should().BeTrue();

        await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")), The.AdminWithMfa);

        var credentials = await Gateway.GetCredentialsAsync(The.CompanyId, default);
        credentials!.AccessToken.Should().BeNull("a token obtained with the old secret must not outlive it");
        (await Gateway.SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("late"), null, The.Now.AddHours(1), The.Now.AddMinutes(55), default))
            .Should().BeFalse("a token fetched with the old credentials is not stored over the new ones");
    }

    [SkippableFact]
    public async Task GetCredentialsAsync_EnvelopeCopiedFromAnotherCompany_FailsToOpen()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await Store.SetAsync(The.OtherCompanyId, The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("other-secret")), The.AdminWithMfa);
        var source = await Repository.GetAsync(The.CompanyId);
        var target = await Repository.GetAsync(The.OtherCompanyId);

        (await Repository.UpdateAsync(target!.WithSecretEnvelope("client_secret", source!.ClientSecret) with { RowVersion = target!.RowVersion + 1 }, target!.RowVersion, null)).Should().BeTrue();

        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.OtherCompanyId, default)).Should().ThrowAsync<CredentialVaultException>();
        (await Gateway.GetCredentialsAsync(The.CompanyId, default))!.ClientSecret!.Reveal().Should().Be(The.ClientSecret);

        // The destination seal names the secret envelope it was written with, so the copy is caught before it is opened
        // (the envelope's own associated data would refuse it too: CredentialVaultTests).
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1309);
        (await Store.GetStatusAsync(The.OtherCompanyId))!.TamperedFields.Should().Equal("client_secret");
    }

    [SkippableTheory]
    [InlineData("kind")]
    [InlineData("environment")]
    [InlineData("client_id")]
    [InlineData("token_endpoint")]
    [InlineData("api_endpoint")]
    [InlineData("scope")]
    [InlineData("planted setting")]
    [InlineData("removed setting")]
    [InlineData("planted secret header")]
    [InlineData("identifier")]
    [InlineData("provider_name")]
    [InlineData("header_name")]
    public async Task GetCredentialsAsync_DestinationColumnChangedInStorage_RefusesToUseTheSecrets(string column)
    {
        var asp = column is "identifier" or "provider_name" or "header_name";
        await Store.SetAsync(The.CompanyId, asp ? The.AspCredentials : The.DirectCredentials.WithSetting("token_header.onbehalfof", "C123"), The.AdminWithMfa);
        var row = (await Repository.GetAsync(The.CompanyId))!;
        var tampered = column switch
        {
            "kind" => row with { Kind = ApiKeyKind.KindName },
            "environment" => row with { Environment = "Sandbox" },
            "client_id" => row.WithSetting("client_id", "attacker-client"),
            "token_endpoint" => row.WithSetting("token_endpoint", "https://attacker.example/token"),
            "api_endpoint" => row.WithSetting("api_endpoint", "https://attacker.example/"),
            "scope" => row.WithSetting("scope", "everything"),
            "planted setting" => row.WithSetting("header.X-Forwarded-Host", "attacker.example"),
            "removed setting" => row.WithSetting("token_header.onbehalfof", null),
            "planted secret header" => row.WithSecretEnvelope("header.X-Leak", row.ClientSecret),
            "identifier" => row.WithSetting("identifier", "0235:2"),
            "provider_name" => row.WithSetting("provider_name", "Other ASP"),
            "header_name" => row.WithSetting("header_name", "X-Attacker-Log"),
            _ => throw new ArgumentOutOfRangeException(nameof(column)),
        };

        // Someone with write access to the database, and no key, edits one plain column.
        (await Repository.UpdateAsync(tampered with { RowVersion = row.RowVersion + 1 }, row.RowVersion, null)).Should().BeTrue();

        var read = () => Gateway.GetCredentialsAsync(The.CompanyId, default);
        (await read.Should().ThrowAsync<CredentialVaultException>()).Which.Message.Should().Be(new CredentialVaultException().Message, "every failure to open looks the same");
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1309 && r.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [SkippableFact]
    public async Task GetCredentialsAsync_DestinationAndItsSealCopiedFromAnotherCompany_RefusesToUseTheSecrets()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await Store.SetAsync(The.OtherCompanyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("https://attacker.example/token")), The.AdminWithMfa);
        var target = (await Repository.GetAsync(The.CompanyId))!;
        var source = (await Repository.GetAsync(The.OtherCompanyId))!;

        var copied = target.WithSetting("token_endpoint", source.TokenEndpoint) with { DestinationSeal = source.DestinationSeal, RowVersion = target.RowVersion + 1 };
        (await Repository.UpdateAsync(copied, target.RowVersion, null)).Should().BeTrue();

        await FluentActions.Awaiting(() => Gateway.GetCredentialsAsync(The.CompanyId, default)).Should().ThrowAsync<CredentialVaultException>("a seal is bound to its company");
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1307);
    }

    [SkippableFact]
    public async Task SetAsync_CancelledToken_StoresNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa, cancelled.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
    }

    [SkippableFact]
    public async Task SetAsync_IncompleteNewCredentials_ThrowsArgumentExceptionNamingWhatIsMissing()
    {
        var act = () => Store.SetAsync(The.CompanyId, new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.ClientId, "x"), The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("Secrets[\"client_secret\"]").And.Contain("Settings[\"token_endpoint\"]").And.Contain("Settings[\"api_endpoint\"]");
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeNull();
        (await ReadWholeAuditAsync()).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task SaveTokensAsync_ThenClear_StatusShowsTheExpiryThenNone()
    {
        var created = await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        await Gateway.SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("access"), new SecretValue("refresh"), The.Now.AddHours(1), The.Now.AddMinutes(55), default);
        var withToken = await Store.GetStatusAsync(The.CompanyId);
        await Gateway.ClearTokensAsync(The.CompanyId, created.Version, markInvalid: true, default);
        var cleared = await Store.GetStatusAsync(The.CompanyId);

        withToken!.AccessTokenExpiresAt.Should().Be(The.Now.AddHours(1));
        withToken.IsValid.Should().BeTrue();
        withToken.Version.Should().Be(created.Version, "tokens are not a change of the credentials");
        cleared!.AccessTokenExpiresAt.Should().BeNull();
        cleared.IsValid.Should().BeFalse();
        (await Gateway.GetCredentialsAsync(The.CompanyId, default))!.RefreshToken.Should().BeNull();
    }
}
