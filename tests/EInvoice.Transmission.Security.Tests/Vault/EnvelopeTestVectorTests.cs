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
        int? DestinationVersion,
        Dictionary<string, string>? Destination,
        Dictionary<string, string>? SecretEnvelopes)
    {
        public bool Opens => Expect == "open";

        public byte[] EnvelopeBytes => Convert.FromBase64String(Envelope);

        /// <summary>Whether the envelope's suite byte names a key custodian (0x02 and up): its KEK is the custodian's, not the ring's.</summary>
        public bool IsCustodianSuite => EnvelopeBytes is [_, > 0x01, ..];

        public byte[] PlaintextBytes => Convert.FromBase64String(PlaintextBase64!);

        public bool IsDestination => Opens && FieldName == "row.destination";

        public Dictionary<string, byte[]> SecretEnvelopeBytes
            => SecretEnvelopes!.ToDictionary(s => s.Key, s => Convert.FromBase64String(s.Value), StringComparer.Ordinal);
    }

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

            if (v.IsDestination)
            {
                v.DestinationVersion.Should().BeOneOf([2, 3], "a destination vector says which version its plaintext is ('{0}')", v.Description);
                v.Destination.Should().NotBeNull("a positive row.destination vector gives its records ('{0}')", v.Description);
                v.Destination!.Values.Should().NotContainNulls("a record that is not set is left out, not null ('{0}')", v.Description);
                v.SecretEnvelopes.Should().NotBeNull("a positive row.destination vector gives its secret envelopes, if only as {{}} ('{0}')", v.Description);
            }
            else
            {
                v.DestinationVersion.Should().BeNull("only positive row.destination vectors describe a destination ('{0}')", v.Description);
                v.Destination.Should().BeNull("only positive row.destination vectors describe a destination ('{0}')", v.Description);
                v.SecretEnvelopes.Should().BeNull("only positive row.destination vectors describe a destination ('{0}')", v.Description);
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
            v => v.DestinationVersion == 3 && v.Destination!.GetValueOrDefault("setting.client_id", "").Any(c => c > 127) && !v.Destination!.ContainsKey("setting.scope")
                && v.Destination!.Keys.Any(k => k.StartsWith("setting.token_header.", StringComparison.Ordinal))
                && v.Destination!.Keys.Any(k => k.StartsWith("secret.", StringComparison.Ordinal)),
            "a version 3 destination with a non-ASCII client id, an unset scope, a token_header setting and a secret digest is published");
        positive.Should().Contain(
            v => v.DestinationVersion == 2 && v.Destination!.ContainsKey("secret.dctce.client_secret"),
            "a legacy version 2 destination with 0.1's secret digest name is published");
        positive.Should().Contain(
            v => v.FieldName == "dctce.client_secret" && positive.Any(d => d.SecretEnvelopes != null && d.SecretEnvelopes.ContainsValue(v.Envelope)),
            "the client secret envelope of a destination vector is published as a vector of its own");

        positive.Should().Contain(v => v.IsCustodianSuite && v.EnvelopeBytes[1] == 0x02, "a suite 0x02 (custodian AES-GCM) envelope is published");
        negative.Should().Contain(n => n.IsCustodianSuite && positive.Any(p => p.Envelope == n.Envelope && p.CompanyId != n.CompanyId), "a company swap of a custodian envelope is published");

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

        if (!vector.Opens || vector.IsCustodianSuite)
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
    public async Task OpenAsync_PublishedVector_OpensToItsPlaintextBytesOrFailsThroughTheKeyWrappingSeam(string description)
    {
        // Every envelope written before the seam existed opens unchanged through it, with a custodian registered beside the ring.
        var vector = Find(description);
        var vault = vector.IsCustodianSuite
            ? new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [new TestCustodian(vector.KekId, Convert.FromBase64String(vector.Kek))], null)
            : new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing(vector.KekId, (vector.KekId, vector.Kek))), [new TestCustodian()], null);

        var open = () => vault.OpenAsync(vector.EnvelopeBytes, vector.CompanyId, vector.FieldName);

        if (!vector.Opens)
        {
            await open.Should().ThrowExactlyAsync<CredentialVaultException>(vector.Reason);
            return;
        }

        (await open()).Should().Equal(Convert.FromBase64String(vector.PlaintextBase64!));
    }

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void OpenFromTheDocumentAlone_PublishedVector_OpensToItsPlaintextBytesOrFails(string description)
    {
        // An implementation written only from docs/envelope-format.md, with raw AesGcm, as another language would.
        var vector = Find(description);

        var plaintext = vector.IsCustodianSuite
            ? EnvelopeSpec.TryOpenCustodianGcm(vector.EnvelopeBytes, vector.KekId, Convert.FromBase64String(vector.Kek), vector.CompanyId, vector.FieldName)
            : EnvelopeSpec.TryOpen(vector.EnvelopeBytes, vector.KekId, Convert.FromBase64String(vector.Kek), vector.CompanyId, vector.FieldName);

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

    private static List<Vector> DestinationVectors(int version)
    {
        var vectors = Load().Where(v => v.DestinationVersion == version).ToList();
        vectors.Should().NotBeEmpty();
        return vectors;
    }

    /// <summary>The row a set of version 3 records describes, its secrets the given envelopes.</summary>
    private static StoredCredential Row(string companyId, IReadOnlyDictionary<string, string> records, IReadOnlyDictionary<string, byte[]> secretEnvelopes) => new()
    {
        CompanyId = companyId,
        Kind = records["kind"],
        Environment = records["environment"],
        Settings = records.Where(r => r.Key.StartsWith("setting.", StringComparison.Ordinal))
            .ToDictionary(r => r.Key["setting.".Length..], r => r.Value, StringComparer.Ordinal),
        Secrets = secretEnvelopes.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
        ConfiguredAt = The.Now,
        ConfiguredBy = The.Admin,
        Version = 1,
        RowVersion = 1,
    };

    [Fact]
    public void DestinationVector_EncodedFromTheDocumentAlone_IsItsPlaintext()
    {
        // docs/envelope-format.md §The destination seal, written again from the document (EnvelopeSpec), not CredentialDestination.
        var vectors = Load().Where(v => v.IsDestination).ToList();

        vectors.Should().NotBeEmpty();
        foreach (var vector in vectors)
        {
            EnvelopeSpec.EncodeDestination(vector.DestinationVersion!.Value, vector.Destination!).Should().Equal(vector.PlaintextBytes, vector.Description);

            var decoded = EnvelopeSpec.DecodeDestination(vector.PlaintextBytes);
            decoded.Should().NotBeNull(vector.Description);
            decoded!.Value.Version.Should().Be(vector.DestinationVersion!.Value, vector.Description);
            decoded.Value.Records.Should().BeEquivalentTo(vector.Destination, vector.Description);
        }
    }

    [Fact]
    public void DestinationVector_Version3_RecordsFromTheRowAndItsSecretEnvelopes_AreItsRecords()
    {
        // The secret.NAME records are recomputed from the envelopes the vector gives, as a verifier would.
        foreach (var vector in DestinationVectors(3))
        {
            var settings = vector.Destination!.Where(r => r.Key.StartsWith("setting.", StringComparison.Ordinal))
                .ToDictionary(r => r.Key["setting.".Length..], r => r.Value, StringComparer.Ordinal);
            var records = EnvelopeSpec.DestinationRecords(vector.Destination!["kind"], vector.Destination["environment"], settings, vector.SecretEnvelopeBytes);

            records.Should().BeEquivalentTo(vector.Destination, vector.Description);
            EnvelopeSpec.EncodeDestination(3, records).Should().Equal(vector.PlaintextBytes, vector.Description);
        }
    }

    [Fact]
    public void DestinationVector_Version2_SecretRecords_AreTheDigestsOfTheSecretEnvelopesUnderTheirEnvelopeFieldNames()
    {
        foreach (var vector in DestinationVectors(2))
        {
            var digests = vector.SecretEnvelopeBytes.ToDictionary(s => "secret." + EnvelopeSpec.SecretEnvelopeField(s.Key), s => EnvelopeSpec.Digest(s.Value), StringComparer.Ordinal);

            vector.Destination!.Where(r => r.Key.StartsWith("secret.", StringComparison.Ordinal)).Should().BeEquivalentTo(digests, vector.Description);
        }
    }

    [Fact]
    public void DestinationVector_SecretEnvelopes_OpenUnderTheDocumentedFieldNames()
    {
        foreach (var vector in Load().Where(v => v.IsDestination))
        {
            var vault = Some.Vault(vector.KekId, (vector.KekId, vector.Kek));
            foreach (var (name, envelope) in vector.SecretEnvelopeBytes)
            {
                var field = EnvelopeSpec.SecretEnvelopeField(name);

                SecretFields.Envelope(name).Should().Be(field);
                vault.Open(envelope, vector.CompanyId, field).Should().NotBeEmpty(vector.Description);
                EnvelopeSpec.TryOpen(envelope, vector.KekId, Convert.FromBase64String(vector.Kek), vector.CompanyId, field).Should().NotBeNullOrEmpty(vector.Description);
            }
        }
    }

    [Fact]
    public void DestinationVector_CredentialDestinationEncode_GivesItsPlaintext()
    {
        foreach (var vector in DestinationVectors(3))
        {
            var row = Row(vector.CompanyId, vector.Destination!, vector.SecretEnvelopeBytes);

            CredentialDestination.Encode(row).Should().Equal(vector.PlaintextBytes, vector.Description);
            CredentialDestination.Mismatches(vector.PlaintextBytes, row).Should().BeEmpty(vector.Description);
        }
    }

    [Fact]
    public void LegacyDestinationVector_ReadByCredentialDestination_MatchesTheMigratedRow()
    {
        // §Legacy versions 1 and 2: the row migration 0004 made of the sealed one, built from the document's mapping table.
        foreach (var vector in DestinationVectors(2))
        {
            var migrated = EnvelopeSpec.MigrateLegacyRecords(vector.Destination!);
            var row = Row(vector.CompanyId, migrated, vector.SecretEnvelopeBytes);

            CredentialDestination.Mismatches(vector.PlaintextBytes, row).Should().BeEmpty(vector.Description);
            CredentialDestination.AsSealed(row, vector.PlaintextBytes).Settings.Should().BeEquivalentTo(row.Settings, vector.Description);
            CredentialDestination.Encode(row).Should().Equal(EnvelopeSpec.EncodeDestination(3, migrated), "the next write seals the migrated row as version 3 ({0})", vector.Description);

            var setting = row.Settings.Keys.Min(StringComparer.Ordinal)!;
            var changed = row with { Settings = new Dictionary<string, string>(row.Settings) { [setting] = "https://attacker.example/" } };
            CredentialDestination.Mismatches(vector.PlaintextBytes, changed).Should().Equal([setting], "the legacy seal still protects the row ({0})", vector.Description);
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
