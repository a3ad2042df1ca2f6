using EInvoice.Transmission.Security.AwsKms.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.AwsKms.Tests;

/// <summary>The key-wrapper contract through the real AWS SDK against <see cref="FakeKms"/>.</summary>
public sealed class AwsKmsKeyWrapperContractTests : KeyWrapperContractTests
{
    private FakeKms? _kms;

    protected override Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync()
    {
        _kms = new FakeKms();
        return Task.FromResult<(IReadOnlyList<IKeyWrapper>, string)>(([AwsKmsTests.Wrapper(_kms)], AwsKmsTests.KeyId));
    }

    public override async Task DisposeAsync()
    {
        if (_kms is not null)
        {
            await _kms.DisposeAsync();
        }
    }
}

/// <summary>What the AWS KMS custodian sends and how it fails, through the real AWS SDK against <see cref="FakeKms"/>.</summary>
public sealed class AwsKmsTests
{
    public const string KeyId = "kms_2026";

    internal static AwsKmsKeyWrapper Wrapper(FakeKms kms, FakeLogCollector? logs = null)
        => new(kms.Client, Options.Create(new AwsKmsKeyCustodyOptions { KmsKeyId = FakeKms.KeyArn, KeyId = KeyId }), new FakeLogger<AwsKmsKeyWrapper>(logs ?? new FakeLogCollector()));

    [Fact]
    public async Task UnwrapKeyAsync_BlobMadeUnderAnotherKmsKey_IsRefused()
    {
        await using var kms = new FakeKms();
        var wrapper = Wrapper(kms);
        var context = new KeyWrapContext(KeyId, The.CompanyId, The.ClientSecretField);
        var dataKey = new byte[32];
        Array.Fill(dataKey, (byte)0x42);

        // An attacker with kms:Encrypt on another key of the account makes a blob with the right encryption context.
        using var plain = new MemoryStream(dataKey);
        var forged = await kms.Client.EncryptAsync(new Amazon.KeyManagementService.Model.EncryptRequest
        {
            KeyId = FakeKms.OtherKeyArn,
            Plaintext = plain,
            EncryptionContext = new Dictionary<string, string> { ["company"] = The.CompanyId, ["field"] = The.ClientSecretField, ["kek"] = KeyId },
        });
        var unwrap = () => wrapper.UnwrapKeyAsync(new WrappedKey(0x04, forged.CiphertextBlob.ToArray()), context, new byte[32], default).AsTask();

        await unwrap.Should().ThrowAsync<System.Security.Cryptography.CryptographicException>();
    }

    [Fact]
    public async Task SealAndOpen_SendCompanyFieldAndKeyIdAsEncryptionContext()
    {
        await using var kms = new FakeKms();
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [Wrapper(kms)], KeyId);

        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        (await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Equal("secret"u8.ToArray());

        envelope[1].Should().Be(0x04);
        kms.Requests.Select(r => r.Operation).Should().Equal("Encrypt", "Decrypt");
        kms.Requests.Should().OnlyContain(r => r.Context.Count == 3 && r.Context["company"] == The.CompanyId && r.Context["field"] == The.ClientSecretField && r.Context["kek"] == KeyId);
    }

    [Fact]
    public async Task OpenAsync_KmsDown_ThrowsKeyCustodianUnavailableExceptionAndOpensWhenBack()
    {
        await using var kms = new FakeKms();
        var logs = new FakeLogCollector();
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [Wrapper(kms, logs)], KeyId);
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        kms.IsAvailable = false;

        var open = () => vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);

        (await open.Should().ThrowExactlyAsync<KeyCustodianUnavailableException>()).Which.Message.Should().Contain("KMSInternalException");
        logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3100);
        kms.IsAvailable = true;
        (await open()).Should().Equal("secret"u8.ToArray());
    }

    [Fact]
    public void Validate_NothingSet_NamesBothSettings()
    {
        var result = new AwsKmsKeyCustodyOptionsValidator().Validate(null, new AwsKmsKeyCustodyOptions());

        result.FailureMessage.Should().Contain("'EInvoiceTransmission:AwsKms:KmsKeyId'").And.Contain("'EInvoiceTransmission:AwsKms:KeyId'");
    }
}
