using System.Security.Cryptography;
using System.Text;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

public sealed class KeyEncryptionKeyRingTests
{
    private static KeyValuePair<string, byte[]> Key(string id, byte[] bytes) => new(id, bytes);

    [Fact]
    public void Constructor_ValidKeys_ExposesIdsButNoKeyMaterial()
    {
        using var ring = Some.KeyRing(The.NewKeyId, (The.KeyId, The.Key), (The.NewKeyId, The.NewKey));

        ring.ActiveKeyId.Should().Be(The.NewKeyId);
        ring.KeyIds.Should().BeEquivalentTo(The.KeyId, The.NewKeyId);
        ring.GetType().GetProperties().Should().OnlyContain(p => p.PropertyType != typeof(byte[]));
    }

    [Fact]
    public void Constructor_SixteenByteKey_ThrowsArgumentException()
    {
        var act = () => new KeyEncryptionKeyRing("k", [Key("k", RandomNumberGenerator.GetBytes(16))]);

        act.Should().Throw<ArgumentException>().WithMessage("*16 bytes*");
    }

    [Fact]
    public void Constructor_PassphraseBytes_ThrowsArgumentException()
    {
        var passphrase = Encoding.ASCII.GetBytes("correct horse battery staple 123");

        var act = () => new KeyEncryptionKeyRing("k", [Key("k", passphrase)]);

        act.Should().Throw<ArgumentException>().WithMessage("*passphrase*");
    }

    [Fact]
    public void Constructor_AllZeroKey_ThrowsArgumentException()
    {
        var act = () => new KeyEncryptionKeyRing("k", [Key("k", new byte[32])]);

        act.Should().Throw<ArgumentException>().WithMessage("*random*");
    }

    [Fact]
    public void Constructor_ActiveIdNotInRing_ThrowsArgumentException()
    {
        var act = () => new KeyEncryptionKeyRing("missing", [Key("k", Convert.FromBase64String(The.Key))]);

        act.Should().Throw<ArgumentException>().WithParameterName("activeKeyId");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("colon:id")]
    [InlineData("ünïcode")]
    public void Constructor_InvalidKeyId_ThrowsArgumentException(string id)
    {
        var act = () => new KeyEncryptionKeyRing(id, [Key(id, Convert.FromBase64String(The.Key))]);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Constructor_DuplicateKeyId_ThrowsArgumentException()
    {
        var key = Convert.FromBase64String(The.Key);

        var act = () => new KeyEncryptionKeyRing("k", [Key("k", key), Key("k", key)]);

        act.Should().Throw<ArgumentException>().WithMessage("*more than once*");
    }

    [Fact]
    public void Constructor_Empty_ThrowsArgumentException()
    {
        var act = () => new KeyEncryptionKeyRing("k", []);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Constructor_CallerZeroesItsArray_RingKeepsWorking()
    {
        var key = Convert.FromBase64String(The.Key);
        var vault = new CredentialVault(new Some.FixedKeyProvider(new KeyEncryptionKeyRing(The.KeyId, [Key(The.KeyId, key)])));
        CryptographicOperations.ZeroMemory(key);

        var envelope = vault.Seal("still works"u8, The.CompanyId, The.ClientSecretField);

        Some.Vault().Open(envelope, The.CompanyId, The.ClientSecretField).Should().Equal("still works"u8.ToArray());
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposedException()
    {
        var ring = Some.KeyRing();
        var vault = new CredentialVault(new Some.FixedKeyProvider(ring));
        ring.Dispose();

        var act = () => vault.Seal("x"u8, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<ObjectDisposedException>();
    }
}
