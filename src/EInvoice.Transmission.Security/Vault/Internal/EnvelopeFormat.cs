using System.Buffers.Binary;
using System.Text;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The envelope binary format, version 1. docs/envelope-format.md describes it byte by byte; keep the two in step.
/// </summary>
/// <remarks>
/// <code>
/// offset      size  field
/// 0           1     format version (0x01)
/// 1           1     suite (0x01: AES-256-GCM wraps the DEK, AES-256-GCM encrypts the value)
/// 2           1     L, the length of the KEK id (1..64)
/// 3           L     KEK id, ASCII
/// 3+L         12    wrap nonce
/// 15+L        32    wrapped DEK
/// 47+L        16    wrap tag
/// 63+L        12    data nonce
/// 75+L        n     ciphertext (n = plaintext length)
/// 75+L+n      16    data tag
/// </code>
/// </remarks>
internal static class EnvelopeFormat
{
    public const byte Version1 = 0x01;
    public const byte SuiteAesGcmWrapAesGcmData = 0x01;

    /// <summary>
    /// The data-layer algorithm id written into the data AAD: AES-256-GCM, the same for every suite so far. It is not the
    /// suite byte, so that a rewrap to another custodian (another suite) leaves the data layer byte for byte.
    /// </summary>
    public const byte DataAlgorithmAesGcm = 0x01;

    /// <summary>Suites 0x02 and up write the wrapped key as a big-endian u16 length and that many bytes.</summary>
    public const int WrapLengthSize = 2;

    /// <summary>The longest wrapped key a length-prefixed suite may carry (a KMS ciphertext blob is about 200 bytes).</summary>
    public const int MaxWrappedKeySize = 1024;

    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int DekSize = 32;

    public const int KeyIdOffset = 3;
    public const int WrapLayerSize = NonceSize + DekSize + TagSize;
    public const int FixedOverhead = KeyIdOffset + WrapLayerSize + NonceSize + TagSize;

    /// <summary>The largest value the vault seals: credentials are small, and a bound keeps allocations bounded.</summary>
    public const int MaxPlaintextSize = 1024 * 1024;

    public const int MaxFieldNameLength = 64;
    public const int MaxCompanyIdBytes = CompanyIdRules.MaxLength * 4;

    /// <summary>Bytes of the context block: u16 company length, company (UTF-8), u8 field length, field (ASCII).</summary>
    public const int MaxContextSize = 2 + MaxCompanyIdBytes + 1 + MaxFieldNameLength;

    public const byte WrapLayerLabel = (byte)'W';
    public const byte DataLayerLabel = (byte)'D';

    /// <summary>Wrap AAD: 'W', header (version, suite, L, KEK id), context.</summary>
    public const int MaxWrapAadSize = 1 + KeyIdOffset + KeyEncryptionKeyRules.MaxKeyIdLength + MaxContextSize;

    /// <summary>Data AAD: 'D', version, suite, context. The KEK id is left out so that a rewrap leaves this layer as it is.</summary>
    public const int MaxDataAadSize = 1 + 2 + MaxContextSize;

    public static int GetEnvelopeSize(int keyIdLength, int plaintextLength) => FixedOverhead + keyIdLength + plaintextLength;

    public static void ValidateFieldName(string fieldName, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fieldName, parameterName);
        if (fieldName.Length > MaxFieldNameLength)
        {
            throw new ArgumentException($"The field name is longer than {MaxFieldNameLength} characters.", parameterName);
        }

        foreach (var c in fieldName)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException("The field name may contain only a-z, 0-9, '.', '_' and '-'.", parameterName);
            }
        }
    }

    /// <summary>Writes the context block and returns its length. Arguments must already be validated.</summary>
    public static int WriteContext(Span<byte> destination, string companyId, string fieldName)
    {
        var companyLength = Encoding.UTF8.GetBytes(companyId, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)companyLength);
        var fieldOffset = 2 + companyLength;
        destination[fieldOffset] = (byte)fieldName.Length;
        var fieldLength = Encoding.ASCII.GetBytes(fieldName, destination[(fieldOffset + 1)..]);
        return fieldOffset + 1 + fieldLength;
    }

    public static int WriteWrapAad(Span<byte> destination, ReadOnlySpan<byte> header, ReadOnlySpan<byte> context)
    {
        destination[0] = WrapLayerLabel;
        header.CopyTo(destination[1..]);
        context.CopyTo(destination[(1 + header.Length)..]);
        return 1 + header.Length + context.Length;
    }

    public static int WriteDataAad(Span<byte> destination, byte version, byte suite, ReadOnlySpan<byte> context)
    {
        destination[0] = DataLayerLabel;
        destination[1] = version;
        destination[2] = suite;
        context.CopyTo(destination[3..]);
        return 3 + context.Length;
    }

    /// <summary>Splits an envelope into its fields, or returns <see langword="false"/> when it is not a version 1 envelope.</summary>
    public static bool TryParse(ReadOnlySpan<byte> envelope, out Parts parts)
    {
        parts = default;
        if (envelope.Length < FixedOverhead + 1
            || envelope[0] != Version1
            || envelope[1] != SuiteAesGcmWrapAesGcmData)
        {
            return false;
        }

        int keyIdLength = envelope[2];
        if (keyIdLength is 0 or > KeyEncryptionKeyRules.MaxKeyIdLength
            || envelope.Length < FixedOverhead + keyIdLength)
        {
            return false;
        }

        parts = new Parts(envelope, keyIdLength);
        return true;
    }

    /// <summary>
    /// Splits an envelope of any suite into offsets (not views, so that they survive an await), or returns
    /// <see langword="false"/> when it is not a well-formed version 1 envelope. Suite 0x01 has a fixed 60-byte wrap
    /// layer; every other suite a u16 length and that many bytes, whose meaning is the custodian's.
    /// </summary>
    public static bool TryParseLayout(ReadOnlySpan<byte> envelope, out Layout layout)
    {
        layout = default;
        if (envelope.Length < KeyIdOffset + 1 || envelope[0] != Version1 || envelope[1] == 0)
        {
            return false;
        }

        var suite = envelope[1];
        int keyIdLength = envelope[2];
        if (keyIdLength is 0 or > KeyEncryptionKeyRules.MaxKeyIdLength)
        {
            return false;
        }

        var afterHeader = KeyIdOffset + keyIdLength;
        int wrapOffset, wrapLength;
        if (suite == SuiteAesGcmWrapAesGcmData)
        {
            wrapOffset = afterHeader;
            wrapLength = WrapLayerSize;
        }
        else
        {
            if (envelope.Length < afterHeader + WrapLengthSize)
            {
                return false;
            }

            wrapLength = BinaryPrimitives.ReadUInt16BigEndian(envelope[afterHeader..]);
            wrapOffset = afterHeader + WrapLengthSize;
            if (wrapLength is 0 or > MaxWrappedKeySize)
            {
                return false;
            }
        }

        var dataOffset = wrapOffset + wrapLength;
        if (envelope.Length < dataOffset + NonceSize + TagSize)
        {
            return false;
        }

        layout = new Layout(suite, keyIdLength, wrapOffset, wrapLength, dataOffset);
        return true;
    }

    /// <summary>The size of an envelope of a length-prefixed suite (0x02 and up).</summary>
    public static int GetPrefixedEnvelopeSize(int keyIdLength, int wrappedLength, int plaintextLength)
        => KeyIdOffset + keyIdLength + WrapLengthSize + wrappedLength + NonceSize + plaintextLength + TagSize;

    /// <summary>Offsets of the fields of an envelope of any suite.</summary>
    public readonly record struct Layout(byte Suite, int KeyIdLength, int WrapOffset, int WrapLength, int DataOffset)
    {
        public int HeaderLength => KeyIdOffset + KeyIdLength;
    }

    /// <summary>Views of the fields of a parsed envelope.</summary>
    public readonly ref struct Parts
    {
        private readonly ReadOnlySpan<byte> _envelope;
        private readonly int _keyIdLength;

        public Parts(ReadOnlySpan<byte> envelope, int keyIdLength)
        {
            _envelope = envelope;
            _keyIdLength = keyIdLength;
        }

        public byte Version => _envelope[0];

        public byte Suite => _envelope[1];

        /// <summary>Version, suite, key id length and key id.</summary>
        public ReadOnlySpan<byte> Header => _envelope[..(KeyIdOffset + _keyIdLength)];

        public ReadOnlySpan<byte> KeyId => _envelope.Slice(KeyIdOffset, _keyIdLength);

        public ReadOnlySpan<byte> WrapNonce => _envelope.Slice(KeyIdOffset + _keyIdLength, NonceSize);

        public ReadOnlySpan<byte> WrappedDek => _envelope.Slice(KeyIdOffset + _keyIdLength + NonceSize, DekSize);

        public ReadOnlySpan<byte> WrapTag => _envelope.Slice(KeyIdOffset + _keyIdLength + NonceSize + DekSize, TagSize);

        /// <summary>Data nonce, ciphertext and data tag: the bytes a rewrap copies unchanged.</summary>
        public ReadOnlySpan<byte> DataLayer => _envelope[(KeyIdOffset + _keyIdLength + WrapLayerSize)..];

        public ReadOnlySpan<byte> DataNonce => DataLayer[..NonceSize];

        public ReadOnlySpan<byte> Ciphertext => DataLayer[NonceSize..^TagSize];

        public ReadOnlySpan<byte> DataTag => DataLayer[^TagSize..];
    }
}
