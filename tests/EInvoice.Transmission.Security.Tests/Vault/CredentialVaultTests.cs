using System.Security.Cryptography;
using System.Text;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

public sealed class CredentialVaultTests
{
    private readonly CredentialVault _vault = Some.Vault();

    public static TheoryData<string, byte[]> Plaintexts => new()
    {
        { "empty", [] },
        { "one byte", [0x2A] },
        { "64 KiB", Some.Bytes(64 * 1024) },
        { "non-ASCII", Encoding.UTF8.GetBytes("Clé secrète — سر العميل — 秘密 — 🔐") },
    };

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Open_SealedValue_ReturnsSameBytes(string name, byte[] plaintext)
    {
        var envelope = _vault.Seal(plaintext, The.CompanyId, The.ClientSecretField);

        var opened = _vault.Open(envelope, The.CompanyId, The.ClientSecretField);

        opened.Should().Equal(plaintext, because: name);
    }

    [Fact]
    public void Seal_SameValueTwice_ProducesDifferentEnvelopes()
    {
        var plaintext = Encoding.UTF8.GetBytes("same secret");

        var first = _vault.Seal(plaintext, The.CompanyId, The.ClientSecretField);
        var second = _vault.Seal(plaintext, The.CompanyId, The.ClientSecretField);

        first.Should().NotEqual(second);
    }

    [Fact]
    public void Seal_Envelope_HasDocumentedLayout()
    {
        var envelope = _vault.Seal(new byte[10], The.CompanyId, The.ClientSecretField);

        envelope[0].Should().Be(0x01, "the first byte is the format version");
        envelope[1].Should().Be(0x01, "the second byte is the suite");
        envelope[2].Should().Be((byte)The.KeyId.Length);
        Encoding.ASCII.GetString(envelope, 3, The.KeyId.Length).Should().Be(The.KeyId);
        envelope.Length.Should().Be(3 + The.KeyId.Length + 12 + 32 + 16 + 12 + 10 + 16);
        CredentialVault.GetKeyId(envelope).Should().Be(The.KeyId);
    }

    [Fact]
    public void Seal_100000Values_NeverRepeatsANonceOrADataKey()
    {
        const int Count = 100_000;
        var kek = Convert.FromBase64String(The.Key);
        using var unwrap = new AesGcm(kek, 16);
        var nonces = new HashSet<string>(2 * Count);
        var deks = new HashSet<string>(Count);
        var plaintext = new byte[8];
        var dek = new byte[32];
        var context = EnvelopeSpec.Context(The.CompanyId, The.ClientSecretField);

        for (var i = 0; i < Count; i++)
        {
            var envelope = _vault.Seal(plaintext, The.CompanyId, The.ClientSecretField);
            var parts = EnvelopeSpec.Split(envelope);

            // Unwrap the DEK independently of the vault, straight from the documented format.
            unwrap.Decrypt(parts.WrapNonce, parts.WrappedDek, parts.WrapTag, dek, EnvelopeSpec.WrapAad(parts.Header, context));

            nonces.Add(Convert.ToHexString(parts.WrapNonce)).Should().BeTrue("wrap nonce {0} is fresh", i);
            nonces.Add(Convert.ToHexString(parts.DataNonce)).Should().BeTrue("data nonce {0} is fresh", i);
            deks.Add(Convert.ToHexString(dek)).Should().BeTrue("data key {0} is fresh", i);
        }
    }

    [Fact]
    public void Open_AnySingleBitFlipped_ThrowsCredentialVaultException()
    {
        // "kek-2026-03" is one bit away from "kek-2026-01", so a flipped key id can land on a key that exists.
        var vault = Some.Vault(The.KeyId, (The.KeyId, The.Key), ("kek-2026-03", The.OtherKey));
        var envelope = vault.Seal(Encoding.UTF8.GetBytes("client-secret-value"), The.CompanyId, The.ClientSecretField);
        var failures = new List<string>();

        for (var position = 0; position < envelope.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])envelope.Clone();
                tampered[position] ^= (byte)(1 << bit);

                try
                {
                    vault.Open(tampered, The.CompanyId, The.ClientSecretField);
                    failures.Add($"byte {position} bit {bit}: opened");
                }
                catch (CredentialVaultException)
                {
                }
                catch (Exception ex)
                {
                    failures.Add($"byte {position} bit {bit}: {ex.GetType().Name}");
                }
            }
        }

        failures.Should().BeEmpty();
        vault.Open(envelope, The.CompanyId, The.ClientSecretField).Should().NotBeEmpty("the untouched envelope still opens");
    }

    [Fact]
    public void Open_AsAnotherCompany_ThrowsCredentialVaultException()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);

        var act = () => _vault.Open(envelope, The.OtherCompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Open_AsAnotherField_ThrowsCredentialVaultException()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);

        var act = () => _vault.Open(envelope, The.CompanyId, The.ApiKeyField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Open_CompanyIdsThatConcatenateAlike_DoNotOpenEachOther()
    {
        // "AB" + "c.d" and "ABc" + ".d" would collide if the context were concatenated without lengths.
        var envelope = _vault.Seal("secret"u8, "AB", "c.d");

        var act = () => _vault.Open(envelope, "ABc", ".d");

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Open_UnknownKeyId_ThrowsCredentialVaultException()
    {
        var other = Some.Vault(The.OtherKeyId, (The.OtherKeyId, The.OtherKey));
        var envelope = other.Seal("secret"u8, The.CompanyId, The.ClientSecretField);

        var act = () => _vault.Open(envelope, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x02)]
    [InlineData(0xFF)]
    public void Open_UnknownVersion_ThrowsCredentialVaultException(byte version)
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);
        envelope[0] = version;

        var act = () => _vault.Open(envelope, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Open_EveryTruncation_ThrowsCredentialVaultException()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);

        for (var length = 0; length < envelope.Length; length++)
        {
            var truncated = envelope[..length];
            var act = () => _vault.Open(truncated, The.CompanyId, The.ClientSecretField);
            act.Should().Throw<CredentialVaultException>("an envelope cut to {0} bytes is invalid", length);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(1000)]
    public void Open_TrailingBytes_ThrowsCredentialVaultException(int extra)
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);
        var extended = envelope.Concat(new byte[extra]).ToArray();

        var act = () => _vault.Open(extended, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Open_AnyFailure_UsesOneMessageThatRevealsNothing()
    {
        var envelope = _vault.Seal("canary-9f3b"u8, The.CompanyId, The.ClientSecretField);
        var tagTampered = (byte[])envelope.Clone();
        tagTampered[^1] ^= 1;
        var unknownKey = Some.Vault(The.OtherKeyId, (The.OtherKeyId, The.OtherKey)).Seal("x"u8, The.CompanyId, The.ClientSecretField);

        var messages = new[]
        {
            Catch(() => _vault.Open(tagTampered, The.CompanyId, The.ClientSecretField)),
            Catch(() => _vault.Open(envelope.AsSpan(0, 10), The.CompanyId, The.ClientSecretField)),
            Catch(() => _vault.Open(unknownKey, The.CompanyId, The.ClientSecretField)),
            Catch(() => _vault.Open(envelope, The.OtherCompanyId, The.ClientSecretField)),
        };

        messages.Select(e => e.Message).Distinct().Should().ContainSingle();
        foreach (var exception in messages)
        {
            exception.ToString().Should().NotContain("canary").And.NotContain(The.Key).And.NotContain(The.OtherKeyId);
        }

        static CredentialVaultException Catch(Action act) => act.Should().Throw<CredentialVaultException>().Which;
    }

    [Fact]
    public void Open_AfterNewActiveKey_OpensEnvelopesUnderTheOldKey()
    {
        var envelope = _vault.Seal("old secret"u8, The.CompanyId, The.ClientSecretField);
        var rotated = Some.RotatedVault();

        rotated.Open(envelope, The.CompanyId, The.ClientSecretField).Should().Equal("old secret"u8.ToArray());
        CredentialVault.GetKeyId(rotated.Seal("new"u8, The.CompanyId, The.ClientSecretField)).Should().Be(The.NewKeyId);
    }

    [Fact]
    public void Rewrap_EnvelopeUnderRetiredKey_MovesItToTheActiveKeyKeepingTheDataLayer()
    {
        var plaintext = Encoding.UTF8.GetBytes("client secret to keep");
        var envelope = _vault.Seal(plaintext, The.CompanyId, The.ClientSecretField);
        var rotated = Some.RotatedVault();

        var rewrapped = rotated.Rewrap(envelope, The.CompanyId, The.ClientSecretField);

        CredentialVault.GetKeyId(rewrapped).Should().Be(The.NewKeyId);
        rotated.Open(rewrapped, The.CompanyId, The.ClientSecretField).Should().Equal(plaintext);
        EnvelopeSpec.Split(rewrapped).DataLayer.ToArray().Should().Equal(EnvelopeSpec.Split(envelope).DataLayer.ToArray(), "the data layer is copied byte for byte");
        EnvelopeSpec.Split(rewrapped).WrapNonce.ToArray().Should().NotEqual(EnvelopeSpec.Split(envelope).WrapNonce.ToArray());
    }

    [Fact]
    public void Rewrap_ThenOpenWithOnlyTheNewKey_Succeeds()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);
        var rewrapped = Some.RotatedVault().Rewrap(envelope, The.CompanyId, The.ClientSecretField);
        var newKeyOnly = Some.Vault(The.NewKeyId, (The.NewKeyId, The.NewKey));

        newKeyOnly.Open(rewrapped, The.CompanyId, The.ClientSecretField).Should().Equal("secret"u8.ToArray());
    }

    [Fact]
    public void Rewrap_KeyMissingFromTheRing_ThrowsCredentialVaultException()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);
        var newKeyOnly = Some.Vault(The.NewKeyId, (The.NewKeyId, The.NewKey));

        var act = () => newKeyOnly.Rewrap(envelope, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Rewrap_AsAnotherCompany_ThrowsCredentialVaultException()
    {
        var envelope = _vault.Seal("secret"u8, The.CompanyId, The.ClientSecretField);

        var act = () => Some.RotatedVault().Rewrap(envelope, The.OtherCompanyId, The.ClientSecretField);

        act.Should().Throw<CredentialVaultException>("a rewrap must not launder an envelope onto another company");
    }

    [Fact]
    public async Task SealAndOpen_EightThreadsTenThousandEach_AllCorrect()
    {
        var rotated = Some.RotatedVault();
        var old = _vault.Seal("opened by every thread"u8, The.CompanyId, The.ClientSecretField);

        var workers = Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            var errors = 0;
            for (var i = 0; i < 10_000; i++)
            {
                var value = Encoding.UTF8.GetBytes($"thread {thread} value {i}");
                var company = $"company-{thread}-{i % 7}";
                var envelope = rotated.Seal(value, company, The.ClientSecretField);
                if (!rotated.Open(envelope, company, The.ClientSecretField).AsSpan().SequenceEqual(value)
                    || !rotated.Open(old, The.CompanyId, The.ClientSecretField).AsSpan().SequenceEqual("opened by every thread"u8))
                {
                    errors++;
                }
            }

            return errors;
        }));

        var results = await Task.WhenAll(workers);

        results.Should().AllSatisfy(errors => errors.Should().Be(0));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("tab\tinside")]
    public void Seal_InvalidCompanyId_ThrowsArgumentExceptionNamingTheParameter(string? companyId)
    {
        var act = () => _vault.Seal("x"u8, companyId!, The.ClientSecretField);

        act.Should().Throw<ArgumentException>().WithParameterName("companyId");
    }

    [Fact]
    public void Seal_CompanyIdWithLoneSurrogate_ThrowsArgumentException()
    {
        // Built in code: xunit would replace a lone surrogate in [InlineData] while serialising the case.
        var companyId = new string(['\ud800', 'x']);

        var act = () => _vault.Seal("x"u8, companyId, The.ClientSecretField);

        act.Should().Throw<ArgumentException>().WithParameterName("companyId");
    }

    [Fact]
    public void Seal_OverLongCompanyId_ThrowsArgumentException()
    {
        var act = () => _vault.Seal("x"u8, new string('a', 129), The.ClientSecretField);

        act.Should().Throw<ArgumentException>().WithParameterName("companyId");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper.Case")]
    [InlineData("space field")]
    [InlineData("a-field-name-that-is-longer-than-sixty-four-characters-is-refused-x")]
    public void Seal_InvalidFieldName_ThrowsArgumentExceptionNamingTheParameter(string fieldName)
    {
        var act = () => _vault.Seal("x"u8, The.CompanyId, fieldName);

        act.Should().Throw<ArgumentException>().WithParameterName("fieldName");
    }

    [Fact]
    public void Seal_MoreThanOneMebibyte_ThrowsArgumentException()
    {
        var act = () => _vault.Seal(new byte[(1024 * 1024) + 1], The.CompanyId, The.ClientSecretField);

        act.Should().Throw<ArgumentException>().WithParameterName("plaintext");
    }

    [Fact]
    public void Constructor_NullProvider_ThrowsArgumentNullException()
    {
        var act = () => new CredentialVault(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("keyProvider");
    }
}
