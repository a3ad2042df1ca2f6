using EInvoice.Transmission.Security.Pkcs11.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Net.Pkcs11Interop.Common;

namespace EInvoice.Transmission.Security.Pkcs11.Tests;

/// <summary>What the PKCS#11 custodian does on a real token (SoftHSM2): the key stays in, sessions come back, settings are named.</summary>
public sealed class Pkcs11KeyWrapperTests
{
    [SkippableFact]
    public void Key_ValueRequestedThroughPkcs11_IsRefusedByTheToken()
    {
        SoftHsm.Require();

        var (read, extractable, sensitive, neverExtractable) = SoftHsm.WithSession((session, key) =>
        {
            var flags = session.GetAttributeValue(key, [CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE]);
            string outcome;
            try
            {
                var value = session.GetAttributeValue(key, [CKA.CKA_VALUE])[0];
                outcome = value.CannotBeRead ? "refused" : $"read {value.GetValueAsByteArray()?.Length} bytes";
            }
            catch (Pkcs11Exception ex)
            {
                outcome = ex.RV.ToString();
            }

            return (outcome, flags[0].GetValueAsBool(), flags[1].GetValueAsBool(), flags[2].GetValueAsBool());
        });

        read.Should().BeOneOf(["refused", nameof(CKR.CKR_ATTRIBUTE_SENSITIVE)], "C_GetAttributeValue of CKA_VALUE of a sensitive key is refused");
        (extractable, sensitive, neverExtractable).Should().Be((false, true, true));
    }

    [SkippableFact]
    public void Key_WrappedOutUnderAnotherKey_IsRefusedByTheToken()
    {
        SoftHsm.Require();

        var outcome = SoftHsm.WithSession((session, key) =>
        {
            var attributes = session.Factories.ObjectAttributeFactory;
            using var generate = session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            var thief = session.GenerateKey(generate,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                attributes.Create(CKA.CKA_TOKEN, false),
                attributes.Create(CKA.CKA_WRAP, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, true),
            ]);
            try
            {
                using var wrap = session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD);
                return $"wrapped out: {session.WrapKey(wrap, thief, key).Length} bytes";
            }
            catch (Pkcs11Exception ex)
            {
                return ex.RV.ToString();
            }
            finally
            {
                session.DestroyObject(thief);
            }
        });

        outcome.Should().Be(nameof(CKR.CKR_KEY_UNEXTRACTABLE));
    }

    [SkippableFact]
    public void Token_SoftHsm26_OffersBothWrapMechanismsAndAutoChoosesAesGcm()
    {
        SoftHsm.Require();

        var mechanisms = SoftHsm.WithSession((_, _, slot) => slot.GetMechanismList());
        using var wrapper = (Pkcs11KeyWrapper)SoftHsm.Wrapper();
        _ = wrapper.WrapKeyAsync(new byte[32], new KeyWrapContext(SoftHsm.KeyId, The.CompanyId, The.ClientSecretField), default).AsTask().Result;

        mechanisms.Should().Contain([CKM.CKM_AES_GCM, CKM.CKM_AES_KEY_WRAP_PAD]);
        wrapper.Suite.Should().Be(Pkcs11KeyWrapper.SuiteAesGcm);
    }

    [SkippableFact]
    public async Task OpenAsync_AfterEverySessionOfTheProcessWasClosed_ReconnectsAndOpens()
    {
        SoftHsm.Require();
        using var wrapper = (Pkcs11KeyWrapper)SoftHsm.Wrapper();
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [wrapper], SoftHsm.KeyId);
        var envelope = await vault.SealAsync("survives a lost session"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        // The token drops every session of the process, the anchor that kept the login included.
        SoftHsm.CloseAllSessions();

        (await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Equal("survives a lost session"u8.ToArray());
        (await vault.SealAsync("and seals again"u8.ToArray(), The.CompanyId, The.ClientSecretField)).Should().NotBeEmpty();
    }

    [SkippableFact]
    public async Task SealAsync_TokenNotPresent_ThrowsKeyCustodianUnavailableExceptionAndWorksOnceTheTokenIsThere()
    {
        SoftHsm.Require();
        var label = "late-" + Guid.NewGuid().ToString("N")[..8];
        var options = SoftHsm.Options();
        options.TokenLabel = label;
        options.AllowImportedKey = true; // SoftHsm.AddToken imports its key with softhsm2-util
        var logs = new FakeLogCollector();
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(options), new FakeLogger<Pkcs11KeyWrapper>(logs));
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [wrapper], SoftHsm.KeyId);

        var seal = () => vault.SealAsync("x"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        (await seal.Should().ThrowExactlyAsync<KeyCustodianUnavailableException>()).Which.Message.Should().Contain(label).And.NotContain(SoftHsm.UserPin);
        logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3003);

        SoftHsm.AddToken(label);
        (await seal()).Should().NotBeEmpty("the custodian starts from the token again on the next call");
    }

    [SkippableFact]
    public async Task UnwrapKeyAsync_TokenRefusesForAReasonNotAboutTheBytes_IsUnavailableNotCannotOpen()
    {
        SoftHsm.Require();
        var label = "flaky-" + Guid.NewGuid().ToString("N")[..8];
        SoftHsm.WithSession((session, _) =>
        {
            var attributes = session.Factories.ObjectAttributeFactory;
            using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            return session.GenerateKey(mechanism,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_LABEL, label),
                attributes.Create(CKA.CKA_ENCRYPT, true),
                attributes.Create(CKA.CKA_DECRYPT, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, false),
                attributes.Create(CKA.CKA_SENSITIVE, true),
                attributes.Create(CKA.CKA_MODIFIABLE, true),
            ]);
        });
        var options = SoftHsm.Options(Pkcs11WrapMechanism.AesGcm);
        options.KeyLabel = label;
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(options), new FakeLogger<Pkcs11KeyWrapper>());
        var context = new KeyWrapContext(SoftHsm.KeyId, The.CompanyId, The.ClientSecretField);
        var wrapped = await wrapper.WrapKeyAsync(new byte[32], context, default);

        // The token now refuses to decrypt with the key (CKR_KEY_FUNCTION_NOT_PERMITTED): nothing is wrong with the bytes.
        SoftHsm.WithSession((session, _) =>
        {
            var key = session.FindAllObjects([session.Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, label)]).Single();
            session.SetAttributeValue(key, [session.Factories.ObjectAttributeFactory.Create(CKA.CKA_DECRYPT, false)]);
            return 0;
        });
        var unwrap = () => wrapper.UnwrapKeyAsync(wrapped, context, new byte[32], default).AsTask();

        (await unwrap.Should().ThrowExactlyAsync<KeyCustodianUnavailableException>()).Which.Message.Should().NotContain(SoftHsm.UserPin);
    }

    [SkippableFact]
    public async Task SealAsync_ImportedKeyNotAllowed_IsRefusedNamingNeverExtractable()
    {
        SoftHsm.Require();
        var label = "imported-" + Guid.NewGuid().ToString("N")[..8];
        SoftHsm.AddToken(label);
        var options = SoftHsm.Options();
        options.TokenLabel = label;
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(options), new FakeLogger<Pkcs11KeyWrapper>());

        var wrap = () => wrapper.WrapKeyAsync(new byte[32], new KeyWrapContext(SoftHsm.KeyId, The.CompanyId, The.ClientSecretField), default).AsTask();

        (await wrap.Should().ThrowExactlyAsync<InvalidOperationException>()).Which.Message.Should().Contain("CKA_NEVER_EXTRACTABLE is not true");
    }

    [SkippableFact]
    public async Task SealAsync_WrongPin_ThrowsNamingTheSettingWithoutThePin()
    {
        SoftHsm.Require();
        var options = SoftHsm.Options();
        options.UserPin = "CANARY-PIN-0000";
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(options), new FakeLogger<Pkcs11KeyWrapper>());
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [wrapper], SoftHsm.KeyId);

        var seal = () => vault.SealAsync("x"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var thrown = await seal.Should().ThrowExactlyAsync<InvalidOperationException>();
        thrown.Which.Message.Should().Contain("EInvoiceTransmission:Pkcs11:UserPin");
        thrown.Which.ToString().Should().NotContain("CANARY-PIN-0000");
    }

    [SkippableFact]
    public async Task WrapAndOpen_WithLogsCaptured_NoPinNoDataKeyNoPlaintextInLogsOrEnvelope()
    {
        SoftHsm.Require();
        var logs = new FakeLogCollector();
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(SoftHsm.Options()), new FakeLogger<Pkcs11KeyWrapper>(logs));
        var dataKey = new byte[32];
        Array.Fill(dataKey, (byte)0x5A);
        var context = new KeyWrapContext(SoftHsm.KeyId, The.CompanyId, The.ClientSecretField);

        var wrapped = await wrapper.WrapKeyAsync(dataKey, context, default);
        var unwrapped = new byte[32];
        await wrapper.UnwrapKeyAsync(wrapped, context, unwrapped, default);

        unwrapped.Should().Equal(dataKey);
        wrapped.Value.ToArray().AsSpan().IndexOf(dataKey.AsSpan(0, 8)).Should().Be(-1, "the wrapped key does not carry the data key in the clear");
        var text = string.Join("\n", logs.GetSnapshot().Select(r => r.Message + r.Exception));
        text.Should().NotContain(SoftHsm.UserPin).And.NotContain(Convert.ToHexString(dataKey)).And.NotContain(Convert.ToBase64String(dataKey));
        logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3000, "the key and mechanism found are logged once");
    }

    [Fact]
    public void Validate_NothingSet_NamesEverySetting()
    {
        var result = new Pkcs11KeyCustodyOptionsValidator().Validate(null, new Pkcs11KeyCustodyOptions { UserPin = null, MaxPooledSessions = 0 });

        result.Failed.Should().BeTrue();
        foreach (var setting in new[] { "LibraryPath", "TokenLabel", "UserPin", "KeyLabel", "KeyId", "MaxPooledSessions" })
        {
            result.FailureMessage.Should().Contain($"'EInvoiceTransmission:Pkcs11:{setting}'");
        }
    }
}
