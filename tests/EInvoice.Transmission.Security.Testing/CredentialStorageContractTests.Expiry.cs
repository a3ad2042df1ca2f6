using System.Text;
using System.Text.Json;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Expiry per secret (issue #14, scope 1): entered by the administrator with the change (MFA, audited), read from the
/// material where the kind declares it (a JWT's <c>exp</c>), shown in the safe status, and sealed with the destination:
/// a database writer who moves an expiry is seen, and the status keeps the date the administrator confirmed.
/// </summary>
public abstract partial class CredentialStorageContractTests
{
    private static readonly DateTimeOffset SecretExpiry = The.Now.AddDays(90);

    /// <summary>An unsigned JWT whose payload is <paramref name="payload"/> (the signature part is never checked).</summary>
    public static string Jwt(object payload)
        => $"{Base64Url("{\"alg\":\"none\"}")}.{Base64Url(JsonSerializer.Serialize(payload))}.c2lnbmF0dXJl";

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [SkippableFact]
    public async Task SetAsync_EnteredExpiry_IsShownInTheStatusAndAuditedByName()
    {
        var status = await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);

        status.SecretExpiries.Should().Equal(new Dictionary<string, DateTimeOffset> { [OAuthClientCredentialsKind.ClientSecret] = SecretExpiry });
        status.ExpiresAt.Should().Be(SecretExpiry);
        status.FirstToExpire.Should().Be(OAuthClientCredentialsKind.ClientSecret);
        (await Store.GetStatusAsync(The.CompanyId)).Should().BeEquivalentTo(status, "the expiry is read back from storage as it was written");
        (await ReadWholeAuditAsync()).Single().Fields.Should().Contain("expires.client_secret");
        JsonSerializer.Serialize(status).Should().NotContain(The.ClientSecret);

        // Only the date changes: audited with MFA under its own name, nothing else named.
        var moved = SecretExpiry.AddDays(30);
        var changed = await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, moved), The.AdminWithMfa);
        changed.ExpiresAt.Should().Be(moved);
        changed.Version.Should().Be(2, "an expiry is part of the credentials: reminders restart for the new version");
        (await ReadWholeAuditAsync()).Last().Fields.Should().Equal("expires.client_secret");
    }

    [SkippableFact]
    public async Task SetAsync_ExpiryChangeWithoutMfa_IsRefusedAndAudited()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        var act = () => Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), new CredentialChangeContext(The.Admin, null));

        await act.Should().ThrowAsync<CredentialChangeRefusedException>();
        (await Store.GetStatusAsync(The.CompanyId))!.ExpiresAt.Should().BeNull();
        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new { Outcome = AuditOutcome.Refused, Fields = new[] { "expires.client_secret" } });
    }

    [SkippableFact]
    public async Task SetAsync_NewSecretWithoutExpiry_DoesNotInheritTheOldOnesExpiry()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);

        var status = await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("replacement-secret")), The.AdminWithMfa);

        status.SecretExpiries.Should().BeEmpty("the date belonged to the secret that was replaced");
        (await ReadWholeAuditAsync()).Last().Fields.Should().BeEquivalentTo(["client_secret", "expires.client_secret"]);
    }

    [SkippableFact]
    public async Task SetAsync_OtherFieldChanged_KeepsTheExpiry()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);

        var status = await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit"), The.AdminWithMfa);

        status.ExpiresAt.Should().Be(SecretExpiry);
    }

    [SkippableFact]
    public async Task SetAsync_ApiKeyThatIsAJwt_ReadsItsExpClaim_AndAnEnteredExpiryWins()
    {
        var exp = The.Now.AddDays(45).ToUnixTimeSeconds();
        var jwt = Jwt(new { sub = "erp", exp });

        var read = await Store.SetAsync(The.CompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(jwt)), The.AdminWithMfa);
        var entered = await Store.SetAsync(The.OtherCompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(jwt)).WithSecretExpiry(ApiKeyKind.ApiKey, SecretExpiry), The.AdminWithMfa);
        var opaque = await Store.SetAsync("company-opaque", The.AspCredentials, The.AdminWithMfa);

        read.SecretExpiries.Should().Equal(new Dictionary<string, DateTimeOffset> { [ApiKeyKind.ApiKey] = DateTimeOffset.FromUnixTimeSeconds(exp) });
        entered.ExpiresAt.Should().Be(SecretExpiry);
        opaque.ExpiresAt.Should().BeNull("an API key that is not a JWT says nothing about its expiry");
        read.ToString().Should().NotContain(jwt.Split('.')[1]);
    }

    [SkippableTheory]
    [InlineData("{\"\\udc00\":1}")]
    [InlineData("{\"\\ud800x\":1,\"exp\":1e400}")]
    [InlineData("{\"exp\":\"soon\"}")]
    [InlineData("[1,2]")]
    [InlineData("{\"exp\":1e400}")]
    public async Task SetAsync_ApiKeyThatIsAJwtWithAnOddPayload_IsStoredWithoutAnExpiry(string payload)
    {
        // An API key is the administrator's text: a payload the reader cannot use means "no expiry", never an error
        // (which would name what the payload holds, and refuse a key the platform accepts).
        var key = $"{Base64Url("{\"alg\":\"none\"}")}.{Base64Url(payload)}.c2lnbmF0dXJl";

        var status = await Store.SetAsync(The.CompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(key)), The.AdminWithMfa);

        status.ExpiresAt.Should().BeNull();
    }

    [SkippableFact]
    public async Task SetAsync_ClientSecretThatLooksLikeAJwt_IsNotReadBecauseTheKindDoesNotDeclareIt()
    {
        var status = await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(Jwt(new { exp = The.Now.AddDays(3).ToUnixTimeSeconds() }))), The.AdminWithMfa);

        status.ExpiresAt.Should().BeNull("lifecycle follows the kind's declaration, it does not guess");
    }

    [SkippableFact]
    public async Task SetAsync_ExpiryForASecretTheCredentialsDoNotHold_IsRefusedBeforeMfa()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        var calls = Mfa.Calls;

        var undeclared = () => Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecretExpiry(ApiKeyKind.ApiKey, SecretExpiry), The.AdminWithMfa);
        var removed = () => Store.SetAsync(
            The.CompanyId,
            new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, null).WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry),
            The.AdminWithMfa);

        (await undeclared.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("api_key");
        (await removed.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("client_secret");
        Mfa.Calls.Should().Be(calls);
    }

    [SkippableFact]
    public async Task ExpiryMovedInStorage_ThenAResetThatKeepsTheSecret_SealsTheConfirmedDateNotThePlantedOne()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);
        await TamperWithRowAsync(r => r with { SecretExpiries = new Dictionary<string, DateTimeOffset> { [OAuthClientCredentialsKind.ClientSecret] = SecretExpiry.AddYears(1) } });

        // The administrator resets the destination as the refusal asks; the reset does not mention the expiry.
        var reset = new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.ClientId, The.ClientId).WithSetting(OAuthClientCredentialsKind.TokenEndpoint, The.TokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, The.ApiEndpoint);
        var status = await Store.SetAsync(The.CompanyId, reset, The.AdminWithMfa);

        status.IsDestinationIntact.Should().BeTrue();
        status.ExpiresAt.Should().Be(SecretExpiry, "the kept secret keeps the expiry sealed with it");
        (await Repository.GetAsync(The.CompanyId))!.SecretExpiries[OAuthClientCredentialsKind.ClientSecret].Should().Be(SecretExpiry);
    }

    [SkippableFact]
    public async Task ExpiryMovedInStorage_ThenStatusAndARoutineChange_ShowTheSealedDateAndRefuseToAdoptIt()
    {
        // The attacker writes the database: pushing the expiry a year out would silence every reminder.
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);
        await TamperWithRowAsync(r => r with { SecretExpiries = new Dictionary<string, DateTimeOffset> { [OAuthClientCredentialsKind.ClientSecret] = SecretExpiry.AddYears(1) } });

        var status = (await Store.GetStatusAsync(The.CompanyId))!;

        status.IsDestinationIntact.Should().BeFalse("the expiry is sealed with the destination");
        status.TamperedFields.Should().Equal("expires.client_secret");
        status.ExpiresAt.Should().Be(SecretExpiry, "the status shows the date the administrator confirmed, never the planted one");

        // A routine partial change does not adopt (and re-seal) the planted date.
        var routine = () => Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit"), The.AdminWithMfa);
        (await routine.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("expires.client_secret");
        (await Store.GetStatusAsync(The.CompanyId))!.ExpiresAt.Should().Be(SecretExpiry);

        // Removing the expiry in storage is seen the same way.
        await TamperWithRowAsync(r => r with { SecretExpiries = new Dictionary<string, DateTimeOffset>() });
        var removed = (await Store.GetStatusAsync(The.CompanyId))!;
        removed.TamperedFields.Should().Equal("expires.client_secret");
        removed.ExpiresAt.Should().Be(SecretExpiry);
    }

    [SkippableFact]
    public async Task RewrapAllAsync_RowWithExpiry_KeepsTheExpiryAndStaysIntact()
    {
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, SecretExpiry), The.AdminWithMfa);

        var rotated = CreateStore(Some.RotatedVault());
        (await rotated.RewrapAllAsync()).FailedCompanyIds.Should().BeEmpty();

        var status = (await rotated.GetStatusAsync(The.CompanyId))!;
        status.IsDestinationIntact.Should().BeTrue();
        status.ExpiresAt.Should().Be(SecretExpiry);
    }

    [SkippableFact]
    public async Task SaveTokensAsync_RefreshTokenLifetimeReported_IsStoredAndShownInTheStatus()
    {
        var created = await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        var refreshExpiresAt = The.Now.AddDays(7);

        await Gateway.SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("access"), new SecretValue("refresh"), The.Now.AddHours(1), The.Now.AddMinutes(55), null, null, refreshExpiresAt, default);
        var withLifetime = (await Store.GetStatusAsync(The.CompanyId))!;
        await Gateway.SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("access-2"), null, The.Now.AddHours(1), The.Now.AddMinutes(55), default);
        var withoutRefreshToken = (await Store.GetStatusAsync(The.CompanyId))!;

        withLifetime.RefreshTokenExpiresAt.Should().Be(refreshExpiresAt);
        withLifetime.ExpiresAt.Should().BeNull("a refresh token is renewed by the library itself: it is not a secret's expiry to remind of");
        withoutRefreshToken.RefreshTokenExpiresAt.Should().BeNull();
    }
}
