using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tests.Lifecycle;

/// <summary>
/// Staged rollover (issue #14, scope 3) end to end against a local OAuth server (LoopbackHttpServer, real HTTP): a
/// wrong staged secret never replaces the working one and no transmission fails meanwhile; a good one is promoted and
/// the next token request uses it; an override promotes without a test; every step audited with who, when and which
/// fields; staged secrets are moved by key rotation.
/// </summary>
public sealed class CredentialRolloverTests
{
    private const string Current = "current-secret-4e1f";
    private const string GoodNew = "good-new-secret-9a07";
    private const string WrongNew = "wrong-new-secret-c3d2";

    /// <summary>A platform that accepts two client secrets, issues a token naming the secret, and serves its API only with such a token.</summary>
    private static LoopbackHttpServer Platform() => new((request, body) =>
    {
        if (request.Url!.AbsolutePath == "/token")
        {
            var secret = body.Split('&').Select(Uri.UnescapeDataString).FirstOrDefault(p => p.StartsWith("client_secret=", StringComparison.Ordinal))?["client_secret=".Length..];
            return secret is Current or GoodNew
                ? (200, $$"""{"access_token":"token-for-{{secret}}","token_type":"Bearer","expires_in":3600}""", null)
                : (401, $$"""{"error":"invalid_client","error_description":"unknown secret {{secret}}"}""", null);
        }

        var authorization = request.Headers["Authorization"];
        return authorization is $"Bearer token-for-{Current}" or $"Bearer token-for-{GoodNew}" ? (200, "{}", null) : (401, "{}", null);
    });

    private static CredentialUpdate StagedSecret(string secret) => new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(secret));

    private static IEnumerable<string> TokenRequestSecrets(LoopbackHttpServer platform)
        => platform.Received.Where(r => r.PathAndQuery == "/token").Select(r => r.Body.Split('&').Select(Uri.UnescapeDataString).Single(p => p.StartsWith("client_secret=", StringComparison.Ordinal))["client_secret=".Length..]);

    [Fact]
    public async Task PromoteAsync_WrongStagedSecret_NeverReplacesTheWorkingOne_AndNoTransmissionFails()
    {
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        var api = new Uri(platform.BaseUri, "api/invoices");
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
        (await host.SendAsync(api)).StatusCode.Should().Be(HttpStatusCode.OK);

        var staged = await rollover.StageAsync(The.CompanyId, StagedSecret(WrongNew), The.AdminWithMfa);
        (await host.SendAsync(api)).StatusCode.Should().Be(HttpStatusCode.OK, "the current credentials keep serving while others are staged");
        var result = await rollover.PromoteAsync(The.CompanyId, The.AdminWithMfa);
        var after = await host.SendAsync(api);

        staged.StagedFields.Should().Equal("staged.client_secret");
        staged.SecretNames.Should().Equal("client_secret");
        result.IsPromoted.Should().BeFalse();
        result.ConnectionTest!.Succeeded.Should().BeFalse();
        result.ConnectionTest.Error.Should().Contain("invalid_client").And.NotContain(WrongNew);
        result.Status!.Should().BeEquivalentTo(new { Version = staged.Version, StagedFields = new[] { "staged.client_secret" } }, "a failed test leaves everything as it was");
        after.StatusCode.Should().Be(HttpStatusCode.OK);
        platform.Received.Where(r => r.PathAndQuery.StartsWith("/api", StringComparison.Ordinal)).Should().HaveCount(3).And.OnlyContain(r => r.Headers.Contains($"Bearer token-for-{Current}"));
        TokenRequestSecrets(platform).Should().Equal([Current, WrongNew], "the staged secret was tried once, by the test; the current token kept serving");

        var audit = await host.Store.ReadAuditTrailAsync(0, 100);
        audit.Where(e => e.Action is AuditAction.CredentialsStaged or AuditAction.StagedCredentialsPromoted).Should().SatisfyRespectively(
            stagedEntry => stagedEntry.Should().BeEquivalentTo(new { Action = AuditAction.CredentialsStaged, Outcome = AuditOutcome.Succeeded, Actor = The.Admin, Fields = new[] { "staged.client_secret" }, MfaMethod = "totp" }),
            refused =>
            {
                refused.Should().BeEquivalentTo(new { Action = AuditAction.StagedCredentialsPromoted, Outcome = AuditOutcome.Refused, Actor = The.Admin, Fields = new[] { "staged.client_secret" } });
                refused.Detail.Should().Contain("failed").And.Contain("invalid_client").And.NotContain(WrongNew);
            });
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1510).And.NotContain(r => r.Message.Contains(WrongNew, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromoteAsync_GoodStagedSecret_IsPromotedAndTheNextTokenRequestUsesIt()
    {
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        var api = new Uri(platform.BaseUri, "api/invoices");
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
        (await host.SendAsync(api)).StatusCode.Should().Be(HttpStatusCode.OK);
        var expiresAt = new DateTimeOffset(2027, 6, 30, 0, 0, 0, TimeSpan.Zero);

        var staged = await rollover.StageAsync(The.CompanyId, StagedSecret(GoodNew).WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, expiresAt), The.AdminWithMfa);
        var result = await rollover.PromoteAsync(The.CompanyId, The.AdminWithMfa);
        (await host.SendAsync(api)).StatusCode.Should().Be(HttpStatusCode.OK);

        result.IsPromoted.Should().BeTrue();
        result.ConnectionTest!.Succeeded.Should().BeTrue();
        result.Status!.Should().BeEquivalentTo(new { Version = staged.Version + 1, StagedFields = Array.Empty<string>(), ExpiresAt = (DateTimeOffset?)expiresAt, IsValid = (bool?)true });
        TokenRequestSecrets(platform).Should().Equal([Current, GoodNew, GoodNew], "the test, then the next token request, use the promoted secret");
        platform.Received.Last().Headers.Should().Contain($"Bearer token-for-{GoodNew}");

        var promoted = (await host.Store.ReadAuditTrailAsync(0, 100))[^1];
        promoted.Should().BeEquivalentTo(new { Action = AuditAction.StagedCredentialsPromoted, Outcome = AuditOutcome.Succeeded, Actor = The.Admin, MfaMethod = "totp" });
        promoted.Fields.Should().Equal("client_secret", "expires.client_secret");
        promoted.Detail.Should().Contain("passed");
    }

    [Fact]
    public async Task PromoteAsync_Override_PromotesWithoutATestAndSaysSoInTheAudit()
    {
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
        await rollover.StageAsync(The.CompanyId, StagedSecret(WrongNew), The.AdminWithMfa);

        var result = await rollover.PromoteAsync(The.CompanyId, The.AdminWithMfa, overrideConnectionTest: true);

        result.Should().BeEquivalentTo(new { IsPromoted = true, ConnectionTest = (ConnectionTestResult?)null });
        TokenRequestSecrets(platform).Should().BeEmpty("nothing was tested");
        (await host.Store.ReadAuditTrailAsync(0, 100))[^1].Detail.Should().Contain("overridden by the administrator");
    }

    [Theory]
    [InlineData(true, "token_endpoint")]
    [InlineData(false, "token_endpoint")]
    [InlineData(true, "staged.token_endpoint")]
    public async Task PromoteAsync_AfterADatabaseWriterMovedASetting_IsRefusedBeforeMfa_AndNothingIsSealed(bool overrideConnectionTest, string setting)
    {
        // The attacker writes the database between staging and promotion; a promotion seals the row again, so it must
        // not adopt the planted endpoint and then hand it the new secret (also when the test is overridden).
        await using var platform = Platform();
        await using var attacker = Platform();
        var repository = new InMemoryCredentialRepository();
        await using var host = LiveHost.Create(repository);
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
        await rollover.StageAsync(The.CompanyId, StagedSecret(GoodNew), The.AdminWithMfa);
        var row = (await repository.GetAsync(The.CompanyId))!;
        var settings = row.Settings.ToDictionary(StringComparer.Ordinal);
        settings[setting] = new Uri(attacker.BaseUri, "token").ToString();
        var tampered = row with { Settings = settings, RowVersion = row.RowVersion + 1 };
        (await repository.UpdateAsync(tampered, row.RowVersion, null)).Should().BeTrue();
        var mfa = (TestMfaVerifier)host.Services.GetRequiredService<IMfaVerifier>();
        var mfaCalls = mfa.Calls;

        var promote = () => rollover.PromoteAsync(The.CompanyId, The.AdminWithMfa, overrideConnectionTest);

        (await promote.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("integrity check").And.NotContain(GoodNew);
        mfa.Calls.Should().Be(mfaCalls, "the proof is not used by a promotion that is refused anyway");
        (await repository.GetAsync(The.CompanyId)).Should().BeEquivalentTo(tampered, "nothing was promoted or sealed again");
        attacker.Received.Should().BeEmpty("no secret, staged or current, reached the planted endpoint");
    }

    [Fact]
    public async Task PromoteAsync_WrongStagedPrimaryNextToAWorkingSecondary_IsNotPromotedByTheFallback()
    {
        // The kind falls back to the secondary secret on invalid_client; a test that passes only through that fallback
        // has not shown the staged primary works, and must not promote it.
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current).WithSecret(OAuthClientCredentialsKind.SecondaryClientSecret, new SecretValue(GoodNew)), The.AdminWithMfa);
        await rollover.StageAsync(The.CompanyId, StagedSecret(WrongNew), The.AdminWithMfa);

        var result = await rollover.PromoteAsync(The.CompanyId, The.AdminWithMfa);

        result.IsPromoted.Should().BeFalse();
        result.ConnectionTest!.Error.Should().Contain("client_secret_secondary").And.NotContain(WrongNew).And.NotContain(GoodNew);
        result.Status!.StagedFields.Should().Equal("staged.client_secret");
        TokenRequestSecrets(platform).Should().Equal([WrongNew, GoodNew], "the test tried the staged primary, then the kind's fallback");
    }

    [Fact]
    public async Task StageAndPromote_WithoutMfa_AreRefusedAndAudited_AndNothingChanges()
    {
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        var rollover = host.Services.GetRequiredService<CredentialRollover>();
        var created = await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
        var noMfa = new CredentialChangeContext(The.Admin, null);

        await FluentActions.Awaiting(() => rollover.StageAsync(The.CompanyId, StagedSecret(GoodNew), noMfa)).Should().ThrowAsync<CredentialChangeRefusedException>();
        await rollover.StageAsync(The.CompanyId, StagedSecret(GoodNew), The.AdminWithMfa);
        await FluentActions.Awaiting(() => rollover.PromoteAsync(The.CompanyId, noMfa)).Should().ThrowAsync<CredentialChangeRefusedException>();

        (await host.Store.GetStatusAsync(The.CompanyId))!.Should().BeEquivalentTo(new { Version = created.Version + 1, StagedFields = new[] { "staged.client_secret" } });
        TokenRequestSecrets(platform).Should().BeEmpty("a refused promotion tests nothing");
        (await host.Store.ReadAuditTrailAsync(0, 100)).Where(e => e.Outcome == AuditOutcome.Refused).Select(e => e.Action)
            .Should().Equal(AuditAction.CredentialsStaged, AuditAction.StagedCredentialsPromoted);
    }

    [Fact]
    public async Task StagedSecret_IsSealed_MovedByKeyRotation_AndBoundToItsField()
    {
        var repository = new InMemoryCredentialRepository();
        await using var platform = Platform();
        await using (var host = LiveHost.Create(repository))
        {
            await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform, Current), The.AdminWithMfa);
            await host.Services.GetRequiredService<CredentialRollover>().StageAsync(The.CompanyId, StagedSecret(GoodNew), The.AdminWithMfa);
        }

        var row = (await repository.GetAsync(The.CompanyId))!;
        row.Secrets.Keys.Should().BeEquivalentTo(["client_secret", "staged.client_secret"]);
        System.Text.Encoding.UTF8.GetString(row.Secrets["staged.client_secret"]).Should().NotContain(GoodNew);

        var rotated = Some.Store(repository, vault: Some.RotatedVault());
        (await rotated.RewrapAllAsync()).FailedCompanyIds.Should().BeEmpty();
        CredentialVault.GetKeyId((await repository.GetAsync(The.CompanyId))!.Secrets["staged.client_secret"]).Should().Be(The.NewKeyId);

        // Bound to its own field: it opens as the staged secret, never in place of the current one.
        var envelope = (await repository.GetAsync(The.CompanyId))!.Secrets["staged.client_secret"];
        Some.RotatedVault().OpenSecret(envelope, The.CompanyId, EInvoice.Transmission.Security.Internal.SecretFields.Envelope("staged.client_secret")).Reveal().Should().Be(GoodNew);
        FluentActions.Invoking(() => Some.RotatedVault().OpenSecret(envelope, The.CompanyId, EInvoice.Transmission.Security.Internal.SecretFields.Envelope("client_secret"))).Should().Throw<CredentialVaultException>();
        (await rotated.GetStatusAsync(The.CompanyId))!.Should().BeEquivalentTo(new { IsDestinationIntact = true, StagedFields = new[] { "staged.client_secret" } });
    }
}
