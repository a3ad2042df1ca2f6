using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>
/// The envelope format as docs/envelope-format.md states it, written again from the document alone, so that tests
/// check the vault against the document and not against itself.
/// </summary>
internal static class EnvelopeSpec
{
    public static Parts Split(byte[] envelope)
    {
        int l = envelope[2];
        return new Parts(envelope, l);
    }

    /// <summary>
    /// §Opening, step by step: returns the plaintext, or <see langword="null"/> when any check or tag fails.
    /// </summary>
    /// <exception cref="ArgumentException">The company id or field name breaks its rule (§Company id, §Context block).</exception>
    public static byte[]? TryOpen(byte[] envelope, string kekId, byte[] kek, string companyId, string fieldName)
    {
        CheckCompanyId(companyId);
        CheckFieldName(fieldName);

        // Step 1: length, version, suite and L.
        if (envelope.Length < 92 || envelope[0] != 0x01 || envelope[1] != 0x01)
        {
            return null;
        }

        int l = envelope[2];
        if (l is < 1 or > 64 || envelope.Length < 91 + l)
        {
            return null;
        }

        // Step 2: the KEK whose id is exactly bytes [3, 3 + L), compared byte for byte (ordinal, case-sensitive).
        if (!envelope.AsSpan(3, l).SequenceEqual(Encoding.ASCII.GetBytes(kekId)))
        {
            return null;
        }

        // Step 3: the context block from the row's company id and field name.
        var parts = new Parts(envelope, l);
        var context = Context(companyId, fieldName);

        // Steps 4 and 5: the wrap layer, then the data layer.
        var dek = new byte[32];
        try
        {
            using (var wrap = new AesGcm(kek, 16))
            {
                wrap.Decrypt(parts.WrapNonce, parts.WrappedDek, parts.WrapTag, dek, WrapAad(parts.Header, context));
            }

            var plaintext = new byte[parts.Ciphertext.Length];
            using (var data = new AesGcm(dek, 16))
            {
                data.Decrypt(parts.DataNonce, parts.Ciphertext, parts.DataTag, plaintext, DataAad(envelope[0], envelope[1], context));
            }

            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            // Step 6.
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>
    /// §Suite 0x02 (AES-256-GCM by a key custodian), step by step: the length-prefixed wrap layer, then the same data
    /// layer as suite 0x01, whose AAD names data algorithm 0x01. Returns the plaintext, or <see langword="null"/>.
    /// </summary>
    public static byte[]? TryOpenCustodianGcm(byte[] envelope, string kekId, byte[] kek, string companyId, string fieldName)
    {
        CheckCompanyId(companyId);
        CheckFieldName(fieldName);
        if (envelope.Length < 4 || envelope[0] != 0x01 || envelope[1] != 0x02)
        {
            return null;
        }

        int l = envelope[2];
        if (l is < 1 or > 64 || envelope.Length < 3 + l + 2)
        {
            return null;
        }

        var header = envelope.AsSpan(0, 3 + l);
        int w = BinaryPrimitives.ReadUInt16BigEndian(envelope.AsSpan(3 + l, 2));
        var dataOffset = 3 + l + 2 + w;
        if (w != 60 || envelope.Length < dataOffset + 28 || !envelope.AsSpan(3, l).SequenceEqual(Encoding.ASCII.GetBytes(kekId)))
        {
            return null;
        }

        var wrapped = envelope.AsSpan(3 + l + 2, w);
        var data = envelope.AsSpan(dataOffset);
        var context = Context(companyId, fieldName);
        var dek = new byte[32];
        try
        {
            using (var wrap = new AesGcm(kek, 16))
            {
                wrap.Decrypt(wrapped[..12], wrapped[12..44], wrapped[44..], dek, WrapAad(header, context));
            }

            var plaintext = new byte[data.Length - 28];
            using (var aes = new AesGcm(dek, 16))
            {
                aes.Decrypt(data[..12], data[12..^16], data[^16..], plaintext, DataAad(0x01, 0x01, context));
            }

            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dek);
        }
    }

    /// <summary>
    /// §Company id: 1 to 128 UTF-16 code units, no lone surrogate, NFC, no Cc or Cf character, no white space at
    /// either end.
    /// </summary>
    public static void CheckCompanyId(string companyId)
    {
        if (companyId.Length is < 1 or > 128 || char.IsWhiteSpace(companyId[0]) || char.IsWhiteSpace(companyId[^1]))
        {
            throw new ArgumentException("Company id length or white space.", nameof(companyId));
        }

        for (var i = 0; i < companyId.Length; i += char.IsSurrogatePair(companyId, i) ? 2 : 1)
        {
            if (char.IsSurrogate(companyId[i]) && !char.IsSurrogatePair(companyId, i))
            {
                throw new ArgumentException("Lone surrogate.", nameof(companyId));
            }

            if (CharUnicodeInfo.GetUnicodeCategory(companyId, i) is UnicodeCategory.Control or UnicodeCategory.Format)
            {
                throw new ArgumentException("Control or format character.", nameof(companyId));
            }
        }

        if (!companyId.IsNormalized(NormalizationForm.FormC))
        {
            throw new ArgumentException("Not NFC.", nameof(companyId));
        }
    }

    /// <summary>§Context block: 1 to 64 characters of <c>a-z 0-9 . _ -</c>.</summary>
    public static void CheckFieldName(string fieldName)
    {
        if (fieldName.Length is < 1 or > 64 || !fieldName.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-'))
        {
            throw new ArgumentException("Field name.", nameof(fieldName));
        }
    }

    /// <summary>u16 big-endian UTF-8 length of the company id, the company id, u8 length of the field name, the field name.</summary>
    public static byte[] Context(string companyId, string fieldName)
    {
        var company = Encoding.UTF8.GetBytes(companyId);
        var field = Encoding.ASCII.GetBytes(fieldName);
        var context = new byte[2 + company.Length + 1 + field.Length];
        BinaryPrimitives.WriteUInt16BigEndian(context, (ushort)company.Length);
        company.CopyTo(context, 2);
        context[2 + company.Length] = (byte)field.Length;
        field.CopyTo(context, 3 + company.Length);
        return context;
    }

    /// <summary>0x57 ('W'), then the header: envelope bytes [0, 3 + L) (version, suite, L, key id), then the context.</summary>
    public static byte[] WrapAad(ReadOnlySpan<byte> header, byte[] context) => [0x57, .. header, .. context];

    /// <summary>0x44 ('D'), version, suite, then the context.</summary>
    public static byte[] DataAad(byte version, byte suite, byte[] context) => [0x44, version, suite, .. context];

    /// <summary>
    /// §Field names the library uses: a secret's envelope is bound to <c>dctce.client_secret</c> for the secret
    /// <c>client_secret</c>, <c>asp.api_key</c> for <c>api_key</c> (0.1's names, whatever the kind), and
    /// <c>secret.NAME</c> for every other secret <c>NAME</c>.
    /// </summary>
    public static string SecretEnvelopeField(string secretName) => secretName switch
    {
        "client_secret" => "dctce.client_secret",
        "api_key" => "asp.api_key",
        _ => "secret." + secretName,
    };

    /// <summary>§The destination seal, Records: lowercase hexadecimal SHA-256 of the whole envelope, 64 characters.</summary>
    public static string Digest(byte[] envelope) => Convert.ToHexStringLower(SHA256.HashData(envelope));

    /// <summary>
    /// §The destination seal, Records (version 3): <c>environment</c>, <c>kind</c>, <c>setting.NAME</c> per setting and
    /// <c>secret.NAME</c> (the digest of its envelope) per secret; nothing for what is not set.
    /// </summary>
    public static Dictionary<string, string> DestinationRecords(
        string kind, string environment, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, byte[]> secretEnvelopes)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal) { ["environment"] = environment, ["kind"] = kind };
        foreach (var (name, value) in settings)
        {
            records["setting." + name] = value;
        }

        foreach (var (name, envelope) in secretEnvelopes)
        {
            records["secret." + name] = Digest(envelope);
        }

        return records;
    }

    /// <summary>
    /// §Version 3, byte by byte (version 2, §Legacy versions 1 and 2, is the same syntax with another header): the 19
    /// ASCII bytes <c>EITS-DESTINATION-</c>, the version digit and LF, then for each record, in ascending byte order of
    /// the names: name, ':', the decimal number of UTF-8 bytes of the value, ':', the value in UTF-8, LF.
    /// </summary>
    public static byte[] EncodeDestination(int version, IReadOnlyDictionary<string, string> records)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes($"EITS-DESTINATION-{version.ToString(CultureInfo.InvariantCulture)}\n"));
        foreach (var (name, value) in records.OrderBy(r => Encoding.ASCII.GetBytes(r.Key), ByteOrder.Instance))
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            bytes.AddRange(Encoding.ASCII.GetBytes($"{name}:{utf8.Length.ToString(CultureInfo.InvariantCulture)}:"));
            bytes.AddRange(utf8);
            bytes.Add(0x0A);
        }

        return [.. bytes];
    }

    /// <summary>
    /// §Reading a seal, and telling the versions apart: the version (3 or 2) and the records, or
    /// <see langword="null"/> when the bytes are not a version 2 or 3 destination (a missing ':', a length that is not
    /// decimal digits, a value that runs past the end or is not followed by LF, a name that appears twice).
    /// </summary>
    public static (int Version, Dictionary<string, string> Records)? DecodeDestination(byte[] plaintext)
    {
        int version;
        if (plaintext.AsSpan().StartsWith("EITS-DESTINATION-3\n"u8))
        {
            version = 3;
        }
        else if (plaintext.AsSpan().StartsWith("EITS-DESTINATION-2\n"u8))
        {
            version = 2;
        }
        else
        {
            return null;
        }

        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 19;
        while (position < plaintext.Length)
        {
            var nameEnd = Array.IndexOf(plaintext, (byte)':', position);
            var lengthEnd = nameEnd < 0 ? -1 : Array.IndexOf(plaintext, (byte)':', nameEnd + 1);
            if (lengthEnd < 0 || lengthEnd == nameEnd + 1 || !plaintext.AsSpan(nameEnd + 1, lengthEnd - nameEnd - 1).ToArray().All(b => b is >= (byte)'0' and <= (byte)'9'))
            {
                return null;
            }

            var length = long.Parse(Encoding.ASCII.GetString(plaintext, nameEnd + 1, lengthEnd - nameEnd - 1), CultureInfo.InvariantCulture);
            var valueEnd = lengthEnd + 1 + length;
            if (valueEnd >= plaintext.Length || plaintext[valueEnd] != 0x0A
                || !records.TryAdd(Encoding.ASCII.GetString(plaintext, position, nameEnd - position), Encoding.UTF8.GetString(plaintext, lengthEnd + 1, (int)length)))
            {
                return null;
            }

            position = (int)valueEnd + 1;
        }

        return (version, records);
    }

    /// <summary>
    /// §Legacy versions 1 and 2: the legacy fields of a version 2 seal as the version 3 records they became, through the
    /// mapping table. Fields the seal's kind did not use, and names the table does not list, are left out.
    /// </summary>
    public static Dictionary<string, string> MigrateLegacyRecords(IReadOnlyDictionary<string, string> legacy)
    {
        (string Kind, string Legacy, string Record)[] table =
        [
            ("*", "kind", "kind"),
            ("*", "environment", "environment"),
            ("oauth_client_credentials", "client_id", "setting.client_id"),
            ("oauth_client_credentials", "token_endpoint", "setting.token_endpoint"),
            ("oauth_client_credentials", "api_endpoint", "setting.api_endpoint"),
            ("oauth_client_credentials", "scope", "setting.scope"),
            ("api_key", "asp_endpoint", "setting.api_endpoint"),
            ("api_key", "asp_identifier", "setting.identifier"),
            ("api_key", "asp_provider_name", "setting.provider_name"),
            ("none", "api_endpoint", "setting.api_endpoint"),
            ("*", "secret.dctce.client_secret", "secret.client_secret"),
            ("*", "secret.asp.api_key", "secret.api_key"),
        ];

        var kind = legacy["kind"];
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (forKind, name, record) in table)
        {
            if ((forKind == "*" || forKind == kind) && legacy.TryGetValue(name, out var value))
            {
                records[record] = value;
            }
        }

        return records;
    }

    /// <summary>The fields of §Layout, as half-open byte ranges [start, end).</summary>
    public readonly struct Parts(byte[] envelope, int keyIdLength)
    {
        /// <summary>[0, 3 + L).</summary>
        public ReadOnlySpan<byte> Header => envelope.AsSpan(0, 3 + keyIdLength);

        /// <summary>[3, 3 + L).</summary>
        public string KeyId => Encoding.ASCII.GetString(envelope, 3, keyIdLength);

        /// <summary>[3 + L, 15 + L).</summary>
        public ReadOnlySpan<byte> WrapNonce => envelope.AsSpan(3 + keyIdLength, 12);

        /// <summary>[15 + L, 47 + L).</summary>
        public ReadOnlySpan<byte> WrappedDek => envelope.AsSpan(15 + keyIdLength, 32);

        /// <summary>[47 + L, 63 + L).</summary>
        public ReadOnlySpan<byte> WrapTag => envelope.AsSpan(47 + keyIdLength, 16);

        /// <summary>[63 + L, end).</summary>
        public ReadOnlySpan<byte> DataLayer => envelope.AsSpan(63 + keyIdLength);

        /// <summary>[63 + L, 75 + L).</summary>
        public ReadOnlySpan<byte> DataNonce => envelope.AsSpan(63 + keyIdLength, 12);

        /// <summary>[75 + L, end - 16).</summary>
        public ReadOnlySpan<byte> Ciphertext => envelope.AsSpan(75 + keyIdLength, envelope.Length - 75 - keyIdLength - 16);

        /// <summary>[end - 16, end).</summary>
        public ReadOnlySpan<byte> DataTag => envelope.AsSpan(envelope.Length - 16);
    }

    /// <summary>Compares byte strings byte by byte, as unsigned values; a proper prefix sorts first.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
