using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>Runs every published vector of docs/envelope-test-vectors.json, positive and negative.</summary>
public sealed class EnvelopeTestVectorTests
{
    /// <summary>One vector; docs/envelope-format.md §Test vectors describes each field.</summary>
    public sealed record Vector(
        string Description,
        string Expect,
        string? Reason,
        string KekId,
        string Kek,
        string CompanyId,
        string FieldName,
        string? Plaintext,
        string? PlaintextBase64,
        string Envelope,
        string? RewrappedFrom,
        Dictionary<string, string?>? Destination)
    {
        public bool Opens => Expect == "open";

        public byte[] EnvelopeBytes => Convert.FromBase64String(Envelope);
    }

    /// <summary>The field names of docs/envelope-format.md §The destination seal; a vector's <c>destination</c> names each one.</summary>
    private static readonly string[] DestinationFieldNames =
        ["api_endpoint", "asp_endpoint", "asp_identifier", "asp_provider_name", "client_id", "environment", "kind", "scope",
         "secret.asp.api_key", "secret.dctce.client_secret", "token_endpoint"];

    private sealed record VectorFile(string Format, string Note, List<Vector> Vectors);

    // A field the document does not describe fails the load, so the file and §Test vectors stay in step.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static TheoryData<string> Descriptions => [.. Load().Select(v => v.Description)];

    private static List<Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "envelope-test-vectors.json");
        var file = JsonSerializer.Deserialize<VectorFile>(File.ReadAllText(path), Json);
        return file!.Vectors;
    }

    private static Vector Find(string description) => Load().Single(v => v.Description == description);

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? KeyIdOrNull(byte[] envelope)
    {
        try
        {
            return CredentialVault.GetKeyId(envelope);
        }
        catch (CredentialVaultException)
        {
            return null;
        }
    }

    private static bool IsProperPrefix(byte[] prefix, byte[] of) => prefix.Length < of.Length && of.AsSpan().StartsWith(prefix);

    [Fact]
    public void Vectors_AreWellFormed()
    {
        var vectors = Load();

        vectors.Select(v => v.Description).Should().OnlyHaveUniqueItems();
        foreach (var v in vectors)
        {
            v.Expect.Should().BeOneOf(["open", "fail"], "vector '{0}' says what an opener must do", v.Description);
            if (v.Opens)
            {
                v.Reason.Should().BeNull("only negative vectors carry a reason ('{0}')", v.Description);
                v.PlaintextBase64.Should().NotBeNull("a positive vector gives its plaintext bytes ('{0}')", v.Description);
                var bytes = Convert.FromBase64String(v.PlaintextBase64!);
                if (v.Plaintext is null)
                {
                    IsUtf8(bytes).Should().BeFalse("plaintext is left out only when the bytes are not UTF-8 ('{0}')", v.Description);
                }
                else
                {
                    Encoding.UTF8.GetBytes(v.Plaintext).Should().Equal(bytes, "plaintext is the UTF-8 text of plaintextBase64 ('{0}')", v.Description);
                }
            }
            else
            {
                v.Reason.Should().NotBeNullOrWhiteSpace("a negative vector says why it must fail ('{0}')", v.Description);
                v.Plaintext.Should().BeNull();
                v.PlaintextBase64.Should().BeNull();
                v.RewrappedFrom.Should().BeNull();
            }

            if (v.Destination is not null)
            {
                (v.Opens && v.FieldName == "row.destination").Should().BeTrue("only positive row.destination vectors give the destination they seal ('{0}')", v.Description);
                v.Destination.Keys.Should().BeEquivalentTo(DestinationFieldNames, "a destination names every field, null when unset ('{0}')", v.Description);
            }
            else
            {
                (v.Opens && v.FieldName == "row.destination").Should().BeFalse("a positive row.destination vector gives its destination ('{0}')", v.Description);
            }

            KeyEncryptionKeyRules.IsValidKeyId(v.KekId).Should().BeTrue("vector '{0}' names a valid KEK id", v.Description);
            CompanyIdRules.IsValid(v.CompanyId).Should().BeTrue("negative vectors fail on the envelope, never on the company id ('{0}')", v.Description);
        }
    }

    [Fact]
    public void Vectors_CoverTheRequiredCases()
    {
        var vectors = Load();
        var positive = vectors.Where(v => v.Opens).ToList();
        var negative = vectors.Where(v => !v.Opens).ToList();

        positive.Should().Contain(v => v.PlaintextBase64!.Length == 0, "an empty plaintext is published");
        positive.Should().Contain(v => v.Plaintext != null && v.Plaintext.Any(c => c > 127), "a non-ASCII plaintext is published");
        positive.Should().Contain(v => v.Plaintext == null, "a binary plaintext, given only as plaintextBase64, is published");
        positive.Select(v => v.KekId).Distinct().Should().HaveCountGreaterThanOrEqualTo(2);
        positive.Should().Contain(v => v.KekId.Length == KeyEncryptionKeyRules.MaxKeyIdLength, "the longest KEK id is published");
        positive.Should().Contain(v => v.KekId.Contains('.') && v.KekId.Contains('_'), "a KEK id with '.' and '_' is published");
        positive.Should().Contain(v => Encoding.UTF8.GetByteCount(v.CompanyId) > 255, "a company id whose UTF-8 length needs both bytes of the u16 is published");
        positive.Should().Contain(v => v.CompanyId.EnumerateRunes().Any(r => r.Value > 0xFFFF), "an emoji company id is published");
        positive.Should().Contain(v => v.RewrappedFrom != null, "a rewrapped envelope is published");
        positive.Should().Contain(
            v => v.Destination != null && v.Destination["client_id"]!.Any(c => c > 127) && v.Destination["scope"] == null,
            "a row.destination vector with a non-ASCII client id and an unset scope is published");

        negative.Should().HaveCountGreaterThanOrEqualTo(10);
        negative.Should().Contain(n => positive.Any(p => p.Envelope == n.Envelope && p.CompanyId != n.CompanyId), "a company swap is published");
        negative.Should().Contain(n => positive.Any(p => p.Envelope == n.Envelope && p.FieldName != n.FieldName), "a field swap is published");
        negative.Should().Contain(n => positive.Any(p => IsProperPrefix(n.EnvelopeBytes, p.EnvelopeBytes)), "a truncated envelope is published");
        negative.Should().Contain(n => positive.Any(p => IsProperPrefix(p.EnvelopeBytes, n.EnvelopeBytes)), "an envelope with trailing bytes is published");
        negative.Should().Contain(n => string.Equals(n.KekId, KeyIdOrNull(n.EnvelopeBytes), StringComparison.OrdinalIgnoreCase) && n.KekId != KeyIdOrNull(n.EnvelopeBytes), "a KEK id that differs only in case is published");
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void Open_PublishedVector_OpensToItsPlaintextBytesOrFails(string description)
    {
        var vector = Find(description);
        var vault = Some.Vault(vector.KekId, (vector.KekId, vector.Kek));

        var open = () => vault.Open(vector.EnvelopeBytes, vector.CompanyId, vector.FieldName);

        if (!vector.Opens)
        {
            open.Should().Throw<CredentialVaultException>(vector.Reason);
            return;
        }

        var plaintext = open();
        plaintext.Should().Equal(Convert.FromBase64String(vector.PlaintextBase64!));
        if (vector.Plaintext is not null)
        {
            Encoding.UTF8.GetString(plaintext).Should().Be(vector.Plaintext);
        }
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void OpenFromTheDocumentAlone_PublishedVector_OpensToItsPlaintextBytesOrFails(string description)
    {
        // An implementation written only from docs/envelope-format.md, with raw AesGcm, as another language would.
        var vector = Find(description);

        var plaintext = EnvelopeSpec.TryOpen(vector.EnvelopeBytes, vector.KekId, Convert.FromBase64String(vector.Kek), vector.CompanyId, vector.FieldName);

        if (!vector.Opens)
        {
            plaintext.Should().BeNull(vector.Reason);
            return;
        }

        plaintext.Should().NotBeNull().And.Equal(Convert.FromBase64String(vector.PlaintextBase64!));
        if (vector.Plaintext is not null)
        {
            Encoding.UTF8.GetString(plaintext!).Should().Be(vector.Plaintext);
        }
    }

    [Fact]
    public void RewrappedVector_KeepsTheDataLayerOfItsSourceByteForByte()
    {
        foreach (var vector in Load().Where(v => v.RewrappedFrom is not null))
        {
            var source = Find(vector.RewrappedFrom!);
            var rewrapped = EnvelopeSpec.Split(vector.EnvelopeBytes);
            var original = EnvelopeSpec.Split(source.EnvelopeBytes);

            rewrapped.DataLayer.ToArray().Should().Equal(original.DataLayer.ToArray(), "a rewrap copies bytes [63 + L_old, end) of the source to [63 + L_new, end)");
            rewrapped.KeyId.Should().Be(vector.KekId);
            original.KeyId.Should().Be(source.KekId);
            (vector.CompanyId, vector.FieldName, vector.PlaintextBase64).Should().Be((source.CompanyId, source.FieldName, source.PlaintextBase64));
        }
    }

    [Fact]
    public void DestinationVector_EncodedFromTheDocumentAlone_IsItsPlaintext()
    {
        // docs/envelope-format.md §The destination seal, written again from the document (EnvelopeSpec), not CredentialDestination.
        var vectors = Load().Where(v => v.Destination is not null).ToList();

        vectors.Should().NotBeEmpty();
        foreach (var vector in vectors)
        {
            EnvelopeSpec.EncodeDestination(vector.Destination!).Should().Equal(Convert.FromBase64String(vector.PlaintextBase64!), vector.Description);
        }
    }

    [Fact]
    public void DestinationVector_CredentialDestinationEncode_GivesItsPlaintext()
    {
        var vectors = Load().Where(v => v.Destination is not null).ToList();

        vectors.Should().NotBeEmpty();
        foreach (var vector in vectors)
        {
            var fields = vector.Destination!;
            var row = new StoredCredential
            {
                CompanyId = vector.CompanyId,
                Kind = fields["kind"]!,
                Environment = fields["environment"]!,
                Settings = fields.Where(f => f.Key.StartsWith("setting.", StringComparison.Ordinal) && f.Value is not null)
                    .ToDictionary(f => f.Key["setting.".Length..], f => f.Value!, StringComparer.Ordinal),
                ConfiguredAt = The.Now,
                ConfiguredBy = The.Admin,
                Version = 1,
                RowVersion = 1,
            };

            CredentialDestination.Encode(row).Should().Equal(Convert.FromBase64String(vector.PlaintextBase64!), vector.Description);
        }
    }

    [Theory]
    [InlineData("Soci\u0065\u0301t\u0065\u0301-01")]
    [InlineData("AE-1002345\u202E67800003")]
    [InlineData("AE-1002345\u200B67800003")]
    [InlineData(" AE-100234567800003")]
    public void Open_CompanyIdBreakingTheDocumentedRule_IsRefusedByTheVaultAndTheDocument(string companyId)
    {
        var vector = Find("ASCII client secret.");
        var vault = Some.Vault(vector.KekId, (vector.KekId, vector.Kek));

        FluentActions.Invoking(() => vault.Open(vector.EnvelopeBytes, companyId, vector.FieldName)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => EnvelopeSpec.TryOpen(vector.EnvelopeBytes, vector.KekId, Convert.FromBase64String(vector.Kek), companyId, vector.FieldName)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_CompanyIdTooLongOrWithALoneSurrogate_IsRefusedByTheVaultAndTheDocument(bool loneSurrogate)
    {
        // Built here: xunit does not carry a lone surrogate through InlineData intact.
        var vector = Find("ASCII client secret.");
        var companyId = loneSurrogate ? new string(['a', '\udc00']) : new string('x', 129);

        FluentActions.Invoking(() => Some.Vault(vector.KekId, (vector.KekId, vector.Kek)).Open(vector.EnvelopeBytes, companyId, vector.FieldName)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => EnvelopeSpec.TryOpen(vector.EnvelopeBytes, vector.KekId, Convert.FromBase64String(vector.Kek), companyId, vector.FieldName)).Should().Throw<ArgumentException>();
    }
}
