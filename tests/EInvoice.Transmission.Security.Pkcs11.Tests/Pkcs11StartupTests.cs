using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Pkcs11.Tests;

/// <summary>Start-up with the PKCS#11 custodian through the container: a token that cannot wrap and unwrap a probe stops it.</summary>
public sealed class Pkcs11StartupTests
{
    [SkippableFact]
    public void Start_WrongPin_FailsNamingWrapKeyIdAndUserPinWithoutThePin()
    {
        SoftHsm.Require();
        using var provider = Build(options => options.UserPin = "CANARY-PIN-1111");

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var thrown = start.Should().Throw<OptionsValidationException>().Which;
        thrown.Message.Should().Contain("'EInvoiceTransmission:Vault:WrapKeyId' ('hsm_ci')").And.Contain("'EInvoiceTransmission:Pkcs11:UserPin'");
        thrown.ToString().Should().NotContain("CANARY-PIN-1111");
    }

    [SkippableFact]
    public async Task Start_ThenSeal_ProbesTheTokenAndSealsUnderItsKey()
    {
        SoftHsm.Require();
        await using var provider = Build(_ => { });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var envelope = await provider.GetRequiredService<CredentialVault>().SealAsync("x"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        CredentialVault.GetKeyId(envelope).Should().Be(SoftHsm.KeyId);
        envelope[1].Should().Be(0x02, "SoftHSM2 offers CKM_AES_GCM");
    }

    [Fact]
    public void Start_Pkcs11SettingsMissing_FailsNamingThem()
    {
        var services = new ServiceCollection();
        services.AddEInvoiceTransmission(options => { options.Keys[The.KeyId] = The.Key; options.ActiveKeyId = The.KeyId; })
            .UseInMemoryCredentialRepository()
            .AddPkcs11KeyCustody(_ => { });
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*'EInvoiceTransmission:Pkcs11:LibraryPath'*");
    }

    private static ServiceProvider Build(Action<Pkcs11KeyCustodyOptions> tweak)
    {
        var services = new ServiceCollection();
        services.AddEInvoiceTransmission(options =>
        {
            options.Keys[The.KeyId] = The.Key;
            options.ActiveKeyId = The.KeyId;
            options.WrapKeyId = SoftHsm.KeyId;
        }).UseInMemoryCredentialRepository().AddPkcs11KeyCustody(options =>
        {
            var ci = SoftHsm.Options();
            options.LibraryPath = ci.LibraryPath;
            options.TokenLabel = ci.TokenLabel;
            options.UserPin = ci.UserPin;
            options.KeyLabel = ci.KeyLabel;
            options.KeyId = ci.KeyId;
            tweak(options);
        });
        return services.BuildServiceProvider(validateScopes: true);
    }
}
