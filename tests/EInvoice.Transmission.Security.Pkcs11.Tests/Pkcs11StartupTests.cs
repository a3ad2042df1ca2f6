using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Net.Pkcs11Interop.Common;

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

    [SkippableTheory]
    [InlineData("extractable", "CKA_EXTRACTABLE is not false")]
    [InlineData("not-sensitive", "CKA_SENSITIVE is not true")]
    [InlineData("aes-128", "CKA_VALUE_LEN is not 32")]
    [InlineData("no-decrypt", "CKA_DECRYPT is not true")]
    [InlineData("duplicate", "holds 2 private secret-key token objects")]
    public void Start_KeyOutsideThePolicy_IsRefusedNamingTheSettingWithoutThePin(string kind, string problem)
    {
        SoftHsm.Require();
        var label = $"policy-{kind}-{Guid.NewGuid():N}";
        SoftHsm.WithSession((session, _) =>
        {
            var attributes = session.Factories.ObjectAttributeFactory;
            for (var i = 0; i < (kind == "duplicate" ? 2 : 1); i++)
            {
                using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
                session.GenerateKey(mechanism,
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_VALUE_LEN, kind == "aes-128" ? 16UL : 32UL),
                    attributes.Create(CKA.CKA_TOKEN, true),
                    attributes.Create(CKA.CKA_PRIVATE, true),
                    attributes.Create(CKA.CKA_LABEL, label),
                    attributes.Create(CKA.CKA_ENCRYPT, true),
                    attributes.Create(CKA.CKA_DECRYPT, kind != "no-decrypt"),
                    attributes.Create(CKA.CKA_WRAP, true),
                    attributes.Create(CKA.CKA_UNWRAP, true),
                    attributes.Create(CKA.CKA_EXTRACTABLE, kind == "extractable"),
                    attributes.Create(CKA.CKA_SENSITIVE, kind != "not-sensitive"),
                ]);
            }

            return 0;
        });
        using var provider = Build(options => options.KeyLabel = label);

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        var thrown = start.Should().Throw<OptionsValidationException>().Which;
        thrown.Message.Should().Contain("'EInvoiceTransmission:Pkcs11:KeyLabel'").And.Contain(problem);
        thrown.ToString().Should().NotContain(SoftHsm.UserPin);
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
