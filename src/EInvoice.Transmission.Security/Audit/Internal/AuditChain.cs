using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The canonical encoding and hash of audit entries.</summary>
internal static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    private const int MaxFieldNameLength = 64;
    private const int MaxTextLength = 1024;
    private static readonly byte[] LabelV1 = "EInvoice.Transmission.Security/audit/v1"u8.ToArray();
    private static readonly byte[] LabelV2 = "EInvoice.Transmission.Security/audit/v2"u8.ToArray();

    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value)
        => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    public static void Validate(AuditEvent auditEvent)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(auditEvent.Actor, nameof(auditEvent));
        if (!Enum.IsDefined(auditEvent.Action) || !Enum.IsDefined(auditEvent.Outcome))
        {
            throw new ArgumentException("The audit event has an unknown action or outcome.", nameof(auditEvent));
        }

        if (auditEvent.CompanyId is not null && !CompanyIdRules.IsValid(auditEvent.CompanyId))
        {
            throw new ArgumentException("The audit event's company id is not valid.", nameof(auditEvent));
        }

        foreach (var text in (ReadOnlySpan<string?>)[auditEvent.Actor, auditEvent.MfaMethod, auditEvent.Detail])
        {
            if (text is { Length: > MaxTextLength })
            {
                throw new ArgumentException($"Audit texts are at most {MaxTextLength} characters long.", nameof(auditEvent));
            }
        }

        foreach (var field in auditEvent.Fields)
        {
            if (string.IsNullOrEmpty(field) || field.Length > MaxFieldNameLength
                || !field.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException("Audit field names use 1 to 64 characters of a-z, 0-9, '.', '_' and '-'.", nameof(auditEvent));
            }
        }
    }

    /// <summary>
    /// SHA-256 over the previous hash and the canonical encoding of every other field: version 2 (entries with a
    /// <see cref="AuditEntry.KeyId"/>) binds the key id too; version 1 (0.1, no key id) does not. The hash links the
    /// chain and needs no key; <see cref="ComputeMac"/> authenticates it.
    /// </summary>
    public static string ComputeHash(AuditEntry entry)
        => Convert.ToHexStringLower(SHA256.HashData(
            (entry.KeyId is null ? Encode(entry, LabelV1, keyId: null) : Encode(entry, LabelV2, entry.KeyId)).WrittenSpan));

    /// <summary>
    /// HMAC-SHA256 under the audit key of an entry's 32 hash bytes followed by one byte: 0 for an ordinary entry, 1 for
    /// an entry that vouches for every entry before it. Only the store writes the second kind, and only right after it
    /// verified the whole trail with the keys of the ring (<see cref="CredentialStore.RewrapAllAsync"/>): since each
    /// hash covers the ones before it, such an entry keeps earlier entries verifiable after their key left the ring. An
    /// ordinary entry vouches for nothing, so a forged entry under an unknown key is not covered by the next genuine one.
    /// </summary>
    public static string ComputeMac(string hash, AuditKey key, bool vouchesForEarlierEntries)
    {
        Span<byte> input = stackalloc byte[SHA256.HashSizeInBytes + 1];
        if (Convert.FromHexString(hash, input[..SHA256.HashSizeInBytes], out _, out var written) != OperationStatus.Done || written != SHA256.HashSizeInBytes)
        {
            // A malformed hash never verifies anyway; this only keeps the function total.
            input.Clear();
        }

        input[^1] = vouchesForEarlierEntries ? (byte)1 : (byte)0;
        return key.Mac(input);
    }

    /// <summary>Whether two lowercase hexadecimal hashes are equal, compared in constant time.</summary>
    public static bool HashEquals(string a, string b)
        => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private static ArrayBufferWriter<byte> Encode(AuditEntry entry, byte[] label, string? keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        if (!TryWriteHex(buffer, entry.PreviousHash))
        {
            // A malformed previous hash can never match: hash it as text so verification reports a broken link.
            WriteString(buffer, entry.PreviousHash);
        }

        buffer.Write(label);
        if (keyId is not null)
        {
            WriteString(buffer, keyId);
        }

        WriteInt64(buffer, entry.Sequence);
        WriteInt64(buffer, entry.Timestamp.ToUnixTimeMilliseconds());
        WriteString(buffer, entry.CompanyId);
        WriteString(buffer, entry.Action.ToString());
        WriteString(buffer, entry.Actor);
        WriteString(buffer, entry.Outcome.ToString());
        WriteInt64(buffer, entry.Fields.Count);
        foreach (var field in entry.Fields)
        {
            WriteString(buffer, field);
        }

        WriteString(buffer, entry.MfaMethod);
        WriteString(buffer, entry.Detail);
        return buffer;
    }

    private static bool TryWriteHex(ArrayBufferWriter<byte> buffer, string hex)
    {
        if (hex.Length != 64)
        {
            return false;
        }

        var span = buffer.GetSpan(32);
        if (Convert.FromHexString(hex, span[..32], out _, out var written) != OperationStatus.Done || written != 32)
        {
            return false;
        }

        buffer.Advance(32);
        return true;
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    /// <summary>A 32-bit length (-1 for null) then UTF-8 bytes, so that no two field lists encode alike.</summary>
    private static void WriteString(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), -1);
            buffer.Advance(4);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), length);
        buffer.Advance(4);
        buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(length)));
    }
}
