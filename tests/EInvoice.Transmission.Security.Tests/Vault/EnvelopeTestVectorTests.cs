using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>Opens every published vector of docs/envelope-test-vectors.json.</summary>
public sealed class EnvelopeTestVectorTests
{
    public sealed record Vector(string Description, string KekId, string Kek, string CompanyId, string FieldName, string Plaintext, string PlaintextBase64, string Envelope);

    private sealed record VectorFile(List<Vector> Vectors);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TheoryData<string> Descriptions => [.. Load().Select(v => v.Description)];

    private static List<Vector> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "envelope-test-vectors.json");
        var file = JsonSerializer.Deserialize<VectorFile>(File.ReadAllText(path), Json);
        return file!.Vectors;
    }

    private static Vector Find(string description) => Load().Single(v => v.Description == description);

    [Fact]
    public void Vectors_CoverTheRequiredCases()
    {
        var vectors = Load();

        vectors.Should().HaveCountGreaterThanOrEqualTo(4);
        vectors.Should().Contain(v => v.Plaintext.Length == 0, "an empty plaintext is published");
        vectors.Should().Contain(v => v.Plaintext.Any(c => c > 127), "a non-ASCII plaintext is published");
        vectors.Select(v => v.KekId).Distinct().Should().HaveCountGreaterThanOrEqualTo(2);
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void Open_PublishedVector_ReturnsItsPlaintext(string description)
    {
        var vector = Find(description);
        var vault = Some.Vault(vector.KekId, (vector.KekId, vector.Kek));

        var plaintext = vault.Open(Convert.FromBase64String(vector.Envelope), vector.CompanyId, vector.FieldName);

        plaintext.Should().Equal(Convert.FromBase64String(vector.PlaintextBase64));
        Encoding.UTF8.GetString(plaintext).Should().Be(vector.Plaintext);
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void OpenFromTheDocumentAlone_PublishedVector_ReturnsItsPlaintext(string description)
    {
        // An implementation written only from docs/envelope-format.md, with raw AesGcm, as another language would.
        var vector = Find(description);
        var envelope = Convert.FromBase64String(vector.Envelope);
        var parts = EnvelopeSpec.Split(envelope);
        var context = EnvelopeSpec.Context(vector.CompanyId, vector.FieldName);

        envelope[0].Should().Be(1);
        envelope[1].Should().Be(1);
        parts.KeyId.Should().Be(vector.KekId);

        var dek = new byte[32];
        using (var wrap = new AesGcm(Convert.FromBase64String(vector.Kek), 16))
        {
            wrap.Decrypt(parts.WrapNonce, parts.WrappedDek, parts.WrapTag, dek, EnvelopeSpec.WrapAad(parts.Header, context));
        }

        var plaintext = new byte[parts.Ciphertext.Length];
        using (var data = new AesGcm(dek, 16))
        {
            data.Decrypt(parts.DataNonce, parts.Ciphertext, parts.DataTag, plaintext, EnvelopeSpec.DataAad(1, 1, context));
        }

        Encoding.UTF8.GetString(plaintext).Should().Be(vector.Plaintext);
    }
}
