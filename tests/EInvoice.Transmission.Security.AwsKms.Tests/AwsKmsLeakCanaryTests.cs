using System.Text;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace EInvoice.Transmission.Security.AwsKms.Tests;

/// <summary>A plaintext canary through the AWS KMS custodian: never in logs, exceptions, public types or envelopes.</summary>
public sealed class AwsKmsLeakCanaryTests
{
    private const string SecretCanary = "CANARY-KMS-SECRET-47be";

    [Fact]
    public async Task SealOpenAndFailures_WithACanary_LeakNoCanaryAndCoverEveryPublicType()
    {
        await using var kms = new FakeKms();
        var evidence = new LeakEvidence([SecretCanary]);
        var logs = new FakeLogCollector();
        evidence.Logs.Add(logs);
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [AwsKmsTests.Wrapper(kms, logs)], AwsKmsTests.KeyId);

        var envelope = await vault.SealAsync(Encoding.UTF8.GetBytes(SecretCanary), The.CompanyId, The.ClientSecretField);
        await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        await evidence.CaptureAsync(() => vault.OpenAsync(envelope, The.OtherCompanyId, The.ClientSecretField));
        kms.IsAvailable = false;
        await evidence.CaptureAsync(() => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField));

        evidence.Add(new AwsKmsKeyCustodyOptions { KmsKeyId = FakeKms.KeyArn, KeyId = AwsKmsTests.KeyId });
        evidence.RawStorage = Convert.ToBase64String(envelope) + "\n" + Encoding.UTF8.GetString(envelope);

        evidence.AssertNoCanary();
        evidence.AssertCovers(typeof(AwsKmsKeyCustodyOptions).Assembly);
        evidence.Exceptions.Select(e => e.GetType()).Should().Contain([typeof(CredentialVaultException), typeof(KeyCustodianUnavailableException)]);
    }
}
