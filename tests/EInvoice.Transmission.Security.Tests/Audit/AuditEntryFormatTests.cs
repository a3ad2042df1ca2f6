using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Audit;

/// <summary>
/// The hash and MAC of audit entries as docs/envelope-format.md §Audit entries states them, written again from the
/// document alone (SHA-256, HKDF and HMAC as any language has them), and checked against entries the store wrote.
/// </summary>
public sealed class AuditEntryFormatTests
{
    [Fact]
    public async Task HashAndMac_EntriesWrittenByTheStore_MatchTheDocument()
    {
        var repository = new InMemoryCredentialRepository();
        var store = Some.Store(repository);
        await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await FluentActions.Invoking(() => store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:status"), new CredentialChangeContext(The.Admin, null)))
            .Should().ThrowAsync<CredentialChangeRefusedException>();
        await store.SetAsync("Société-東京-01", The.AspCredentials, The.AdminWithMfa);
        await store.DeleteAsync("Société-東京-01", The.AdminWithMfa);
        await Some.Store(repository, vault: Some.RotatedVault()).RewrapAllAsync("ops@erp.example");

        var entries = await repository.ReadAuditAsync(0, 100);
        var keys = new Dictionary<string, byte[]>
        {
            [The.KeyId] = Convert.FromBase64String(The.Key),
            [The.NewKeyId] = Convert.FromBase64String(The.NewKey),
        };

        entries.Should().HaveCount(5);
        entries.Select(e => e.KeyId).Should().Equal(The.KeyId, The.KeyId, The.KeyId, The.KeyId, The.NewKeyId);
        entries.Should().Contain(e => e.CompanyId == null && e.MfaMethod == null && e.Detail != null && e.Fields.Count == 0);
        var previous = new string('0', 64);
        foreach (var entry in entries)
        {
            entry.PreviousHash.Should().Be(previous);
            entry.Hash.Should().Be(Hash(entry), "entry {0}", entry.Sequence);
            // The rotation's entry vouches for every entry before it (flag byte 1); every other entry is ordinary (0).
            var vouches = entry.Action == AuditAction.KeysRotated;
            entry.Mac.Should().Be(Mac(keys[entry.KeyId!], entry.Hash, vouches), "entry {0}", entry.Sequence);
            previous = entry.Hash;
        }
    }

    [Fact]
    public void AuditKey_EmptySalt_IsTheKeyWithThirtyTwoZeroBytesOfSalt()
    {
        // The document says "no salt (equivalently 32 zero bytes)", as RFC 5869 §2.2 defines it.
        var kek = Convert.FromBase64String(The.Key);

        AuditKey(kek).Should().Equal(HKDF.DeriveKey(HashAlgorithmName.SHA256, kek, 32, salt: new byte[32], info: Encoding.ASCII.GetBytes("EInvoice.Transmission.Security/audit-key/v1")));
    }

    /// <summary>HKDF-SHA256: the 32 KEK bytes as input key material, no salt, info = the ASCII purpose label, 32 bytes out.</summary>
    private static byte[] AuditKey(byte[] kek)
        => HKDF.DeriveKey(HashAlgorithmName.SHA256, kek, 32, salt: [], info: Encoding.ASCII.GetBytes("EInvoice.Transmission.Security/audit-key/v1"));

    /// <summary>
    /// Lowercase hex of HMAC-SHA256 under the audit key of the 32 bytes the hash's hex digits stand for, followed by one
    /// byte: 1 when the entry vouches for every entry before it, 0 otherwise.
    /// </summary>
    private static string Mac(byte[] kek, string hash, bool vouches)
        => Convert.ToHexStringLower(HMACSHA256.HashData(AuditKey(kek), (byte[])[.. Convert.FromHexString(hash), vouches ? (byte)1 : (byte)0]));

    /// <summary>§Audit entries, the hashed bytes, in order; lowercase hex of their SHA-256.</summary>
    private static string Hash(AuditEntry entry)
    {
        var bytes = new List<byte>();
        bytes.AddRange(Convert.FromHexString(entry.PreviousHash));
        bytes.AddRange(Encoding.ASCII.GetBytes(entry.KeyId is null ? "EInvoice.Transmission.Security/audit/v1" : "EInvoice.Transmission.Security/audit/v2"));
        if (entry.KeyId is not null)
        {
            String(entry.KeyId);
        }

        Int64(entry.Sequence);
        Int64(entry.Timestamp.ToUnixTimeMilliseconds());
        String(entry.CompanyId);
        String(entry.Action.ToString());
        String(entry.Actor);
        String(entry.Outcome.ToString());
        Int64(entry.Fields.Count);
        foreach (var field in entry.Fields)
        {
            String(field);
        }

        String(entry.MfaMethod);
        String(entry.Detail);
        return Convert.ToHexStringLower(SHA256.HashData([.. bytes]));

        void Int64(long value)
        {
            var buffer = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(buffer, value);
            bytes.AddRange(buffer);
        }

        void String(string? value)
        {
            var utf8 = value is null ? null : Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, utf8?.Length ?? -1);
            bytes.AddRange(length);
            bytes.AddRange(utf8 ?? []);
        }
    }
}
