using System.Net;
using System.Text;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>The vault with a key custodian outside the local ring: routing by key id, outages, the synchronous members, audit, the hot path.</summary>
public sealed class CustodianVaultTests
{
    private readonly TestCustodian _custodian = new();

    private CredentialVault CustodianVault() => new(new Some.FixedKeyProvider(Some.KeyRing()), [_custodian], _custodian.KeyId);

    [Theory]
    [InlineData("InvalidOperation")]
    [InlineData("Format")]
    [InlineData("Argument")]
    public async Task OpenAndRewrapAsync_CustodianThrowsOtherThanCryptographicOnStoredBytes_CannotOpen(string kind)
    {
        var vault = CustodianVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        _custodian.UnwrapFault = () => kind switch
        {
            "InvalidOperation" => new InvalidOperationException("custodian state"),
            "Format" => new FormatException("bad blob"),
            _ => new ArgumentException("bad length"),
        };

        var open = () => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        var rewrap = () => vault.RewrapAsync(envelope, The.CompanyId, The.ClientSecretField);

        await open.Should().ThrowExactlyAsync<CredentialVaultException>();
        await rewrap.Should().ThrowExactlyAsync<CredentialVaultException>();
    }

    [Fact]
    public async Task OpenAsync_CustodianCancelledOrUnavailable_IsNotCannotOpen()
    {
        var vault = CustodianVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        _custodian.UnwrapFault = () => new OperationCanceledException();
        await ((Func<Task>)(() => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField))).Should().ThrowExactlyAsync<OperationCanceledException>();
        _custodian.UnwrapFault = () => new KeyCustodianUnavailableException(_custodian.KeyId, "down", null);
        await ((Func<Task>)(() => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField))).Should().ThrowExactlyAsync<KeyCustodianUnavailableException>();
    }

    [Fact]
    public async Task SealAsync_CustodianActive_WritesSuite0x02WithALengthPrefixThatTheDocumentAloneOpens()
    {
        var envelope = await CustodianVault().SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        envelope[1].Should().Be(0x02);
        EnvelopeSpec.TryOpenCustodianGcm(envelope, _custodian.KeyId, _custodian.Key, The.CompanyId, The.ClientSecretField).Should().Equal("secret"u8.ToArray());
        EnvelopeSpec.TryOpenCustodianGcm(envelope, _custodian.KeyId, _custodian.Key, The.OtherCompanyId, The.ClientSecretField).Should().BeNull();
    }

    [Fact]
    public async Task OpenAsync_CustodianUnreachable_ThrowsKeyCustodianUnavailableExceptionAndOpensWhenItIsBack()
    {
        var vault = CustodianVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        _custodian.IsAvailable = false;

        var open = () => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        var seal = () => vault.SealAsync("x"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        (await open.Should().ThrowExactlyAsync<KeyCustodianUnavailableException>("an outage is transient, not a tampered envelope")).Which.KeyId.Should().Be(_custodian.KeyId);
        await seal.Should().ThrowExactlyAsync<KeyCustodianUnavailableException>();
        _custodian.IsAvailable = true;
        (await open()).Should().Equal("secret"u8.ToArray());
    }

    [Fact]
    public async Task SynchronousMembers_CustodianEnvelopeOrKey_RefuseInsteadOfReachingTheCustodian()
    {
        var vault = CustodianVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var open = () => vault.Open(envelope, The.CompanyId, The.ClientSecretField);
        var seal = () => vault.Seal("x"u8, The.CompanyId, The.ClientSecretField);
        var local = Some.Vault().Seal("x"u8, The.CompanyId, The.ClientSecretField);
        var rewrap = () => vault.Rewrap(local, The.CompanyId, The.ClientSecretField);

        open.Should().ThrowExactly<CredentialVaultException>();
        seal.Should().ThrowExactly<InvalidOperationException>().WithMessage("*'custodian_2026'*asynchronous*");
        rewrap.Should().ThrowExactly<InvalidOperationException>();
        _custodian.Wraps.Should().Be(1);
        _custodian.Unwraps.Should().Be(0);
    }

    [Fact]
    public async Task SealAsync_NoCustodianHoldsTheActiveKey_ThrowsNamingTheKey()
    {
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [_custodian], "nobody_holds_this");

        var seal = () => vault.SealAsync("x"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        await seal.Should().ThrowExactlyAsync<InvalidOperationException>().WithMessage("*'nobody_holds_this'*");
    }

    [Fact]
    public async Task OpenAsync_CustodianNoLongerRegistered_ThrowsCredentialVaultException()
    {
        var envelope = await CustodianVault().SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var open = () => Some.Vault().OpenAsync(envelope, The.CompanyId, The.ClientSecretField);

        await open.Should().ThrowExactlyAsync<CredentialVaultException>();
    }

    [Fact]
    public void Validate_RingKeyIdAlsoClaimedByACustodian_FailsNamingTheKey()
    {
        var options = new CredentialVaultOptions { ActiveKeyId = The.KeyId };
        options.Keys[The.KeyId] = The.Key;

        var result = new CredentialVaultOptionsValidator([new TestCustodian(The.KeyId)]).Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain($"'EInvoiceTransmission:Vault:Keys:{The.KeyId}'").And.Contain("custodian");
    }

    [Fact]
    public void Validate_WrapKeyIdHeldByNoCustodian_FailsNamingTheSetting()
    {
        var options = new CredentialVaultOptions { ActiveKeyId = The.KeyId, WrapKeyId = "hsm_2026" };
        options.Keys[The.KeyId] = The.Key;

        var withoutCustodian = new CredentialVaultOptionsValidator([]).Validate(null, options);
        var withCustodian = new CredentialVaultOptionsValidator([new TestCustodian("hsm_2026")]).Validate(null, options);

        withoutCustodian.Failed.Should().BeTrue();
        withoutCustodian.FailureMessage.Should().Contain("'EInvoiceTransmission:Vault:WrapKeyId' is 'hsm_2026'");
        withCustodian.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task SetAsync_CustodianWraps_AuditEntriesAreKeyedByTheLocalRingsActiveKeyAndVerify()
    {
        var repository = new InMemoryCredentialRepository();
        var store = Some.Store(repository, vault: CustodianVault());

        await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        var entries = await store.ReadAuditTrailAsync(0, 10);

        (await repository.GetAsync(The.CompanyId))!.Secrets.Values.Should().OnlyContain(e => CredentialVault.GetKeyId(e) == _custodian.KeyId);
        entries.Should().ContainSingle().Which.KeyId.Should().Be(The.KeyId, "a key the process may not read cannot derive the audit key: the local ring's active key does");
        (await store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LocalKeysOpenEnvelopes_False_AnEnvelopeForgedWithTheLocalKeyOpensNowhere_TheCustodiansStillDo(bool localKeysOpen)
    {
        // After a migration to a custodian the local key stays configured for the audit; someone who reads the
        // configuration can seal with it (here: a ring-only vault over the same key, as an attacker would build).
        var vault = CredentialVault.Create(new Some.FixedKeyProvider(Some.KeyRing()), [_custodian], new Lazy<string?>(_custodian.KeyId), new Lazy<bool>(() => localKeysOpen));
        var forged = Some.Vault().Seal("https://attacker.example/token"u8, The.CompanyId, "row.destination");
        var genuine = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var openForged = () => vault.OpenAsync(forged, The.CompanyId, "row.destination");
        var openForgedSync = () => vault.Open(forged, The.CompanyId, "row.destination");

        if (localKeysOpen)
        {
            (await openForged()).Should().Equal("https://attacker.example/token"u8.ToArray(), "by default the local keys still open envelopes (during a migration they must)");
        }
        else
        {
            await openForged.Should().ThrowAsync<CredentialVaultException>();
            openForgedSync.Should().Throw<CredentialVaultException>();
            FluentActions.Invoking(() => vault.Seal("x"u8, The.CompanyId, The.ClientSecretField)).Should().Throw<InvalidOperationException>().WithMessage("*LocalKeysOpenEnvelopes*");
        }

        (await vault.OpenAsync(genuine, The.CompanyId, The.ClientSecretField)).Should().Equal("secret"u8.ToArray());
        using var auditKey = vault.CreateAuditKey();
        auditKey.Should().NotBeNull("the local key still derives the audit key");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(The.KeyId)]
    public void StartupValidation_LocalKeysOpenEnvelopesFalseWithoutACustodianWrapKey_FailsNamingTheSetting(string? wrapKeyId)
    {
        var options = new CredentialVaultOptions { ActiveKeyId = The.KeyId, WrapKeyId = wrapKeyId, LocalKeysOpenEnvelopes = false };
        options.Keys[The.KeyId] = The.Key;

        var result = new CredentialVaultOptionsValidator([new TestCustodian("hsm_2026")]).Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain("EInvoiceTransmission:Vault:LocalKeysOpenEnvelopes").And.Contain("WrapKeyId").And.NotContain(The.Key);
    }

    [Fact]
    public async Task SendAsync_CachedToken_MakesNoCallToTheCustodian()
    {
        await using var host = TransmissionTestHost.With()
            .Services(services => services.AddSingleton<IKeyWrapper>(_custodian))
            .Vault(options =>
            {
                options.Keys[The.KeyId] = The.Key;
                options.ActiveKeyId = The.KeyId;
                options.WrapKeyId = _custodian.KeyId;
            })
            .Start();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("hot-token", 3600));
        host.ServeApi(The.ApiEndpoint);
        await host.SetDirectAsync();
        (await host.SendAsync()).Dispose();
        var (wraps, unwraps) = (_custodian.Wraps, _custodian.Unwraps);
        unwraps.Should().BeGreaterThan(0, "the first request opened the client secret through the custodian");

        for (var i = 0; i < 20; i++)
        {
            using var response = await host.SendAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (_custodian.Wraps, _custodian.Unwraps).Should().Be((wraps, unwraps), "a cached token is served from memory: lookup, origin check, header");
        host.ApiCalls.Should().HaveCount(21).And.OnlyContain(c => c.Authorization == "Bearer hot-token");
    }

    [Fact]
    public void KeyWrapContext_GetAssociatedDataOfSuite0x01_IsTheWrapAadOfTheDocument()
    {
        var context = new KeyWrapContext(The.KeyId, The.CompanyId, The.ClientSecretField);
        var header = new byte[] { 0x01, 0x01, (byte)The.KeyId.Length }.Concat(Encoding.ASCII.GetBytes(The.KeyId)).ToArray();

        context.GetAssociatedData(0x01).Should().Equal(EnvelopeSpec.WrapAad(header, EnvelopeSpec.Context(The.CompanyId, The.ClientSecretField)));
        context.ToString().Should().Be($"KeyWrapContext {{ KeyId = {The.KeyId}, CompanyId = {The.CompanyId}, FieldName = {The.ClientSecretField} }}");
    }

    [Fact]
    public void StartupValidation_CustodianCannotWrapAndUnwrapAProbe_FailsNamingTheSetting()
    {
        _custodian.IsAvailable = false;
        var services = new ServiceCollection();
        services.AddSingleton<IKeyWrapper>(_custodian);
        services.AddEInvoiceTransmission(options =>
        {
            options.Keys[The.KeyId] = The.Key;
            options.ActiveKeyId = The.KeyId;
            options.WrapKeyId = _custodian.KeyId;
        }).UseInMemoryCredentialRepository();
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("*'EInvoiceTransmission:Vault:WrapKeyId' ('custodian_2026') cannot wrap and unwrap a probe*KeyCustodianUnavailableException*switched off*");
        _custodian.IsAvailable = true;
        var healthy = new ServiceCollection();
        healthy.AddSingleton<IKeyWrapper>(_custodian);
        healthy.AddEInvoiceTransmission(options =>
        {
            options.Keys[The.KeyId] = The.Key;
            options.ActiveKeyId = The.KeyId;
            options.WrapKeyId = _custodian.KeyId;
        }).UseInMemoryCredentialRepository();
        using var healthyProvider = healthy.BuildServiceProvider();
        var (wraps, unwraps) = (_custodian.Wraps, _custodian.Unwraps);
        healthyProvider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        (_custodian.Wraps - wraps, _custodian.Unwraps - unwraps).Should().Be((1, 1), "the healthy start-up probed once: one wrap, one unwrap");
    }
}
