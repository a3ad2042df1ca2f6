using System.Text;
using EInvoice.Transmission.Security.Pkcs11.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Pkcs11.Tests;

/// <summary>The PIN, a plaintext and a wrong PIN, as canaries, through the PKCS#11 custodian: never in logs, exceptions, public types or envelopes.</summary>
public sealed class Pkcs11LeakCanaryTests
{
    private const string SecretCanary = "CANARY-PKCS11-SECRET-6f2a";
    private const string WrongPinCanary = "CANARY-PKCS11-PIN-9d41";

    [SkippableFact]
    public async Task SealOpenAndFailures_WithCanaries_LeakNoCanaryAndCoverEveryPublicType()
    {
        SoftHsm.Require();
        var evidence = new LeakEvidence([SoftHsm.UserPin, SecretCanary, WrongPinCanary]);
        var logs = new FakeLogCollector();
        evidence.Logs.Add(logs);
        var options = SoftHsm.Options(Pkcs11WrapMechanism.AesKeyWrapPad);
        using var wrapper = new Pkcs11KeyWrapper(Options.Create(options), new FakeLogger<Pkcs11KeyWrapper>(logs));
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [wrapper], SoftHsm.KeyId);

        var envelope = await vault.SealAsync(Encoding.UTF8.GetBytes(SecretCanary), The.CompanyId, The.ClientSecretField);
        (await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Equal(Encoding.UTF8.GetBytes(SecretCanary));
        await evidence.CaptureAsync(() => vault.OpenAsync(envelope, The.OtherCompanyId, The.ClientSecretField));

        var wrongPin = SoftHsm.Options();
        wrongPin.UserPin = WrongPinCanary;
        wrongPin.TokenLabel = "no-such-token";
        using var unreachable = new Pkcs11KeyWrapper(Options.Create(wrongPin), new FakeLogger<Pkcs11KeyWrapper>(logs));
        await evidence.CaptureAsync(async () => await unreachable.WrapKeyAsync(new byte[32], new KeyWrapContext(SoftHsm.KeyId, The.CompanyId, The.ClientSecretField), default));

        evidence.Add(options, wrongPin, Pkcs11WrapMechanism.AesGcm);
        evidence.RawStorage = Convert.ToBase64String(envelope) + "\n" + Encoding.UTF8.GetString(envelope);

        evidence.AssertNoCanary();
        evidence.AssertCovers(typeof(Pkcs11KeyCustodyOptions).Assembly);
        evidence.Exceptions.Select(e => e.GetType()).Should().Contain([typeof(CredentialVaultException), typeof(KeyCustodianUnavailableException)]);
    }
}
