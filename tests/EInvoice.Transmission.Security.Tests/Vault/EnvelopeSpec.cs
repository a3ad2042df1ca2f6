using System.Buffers.Binary;
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

    /// <summary>0x57 ('W'), then the header (version, suite, L, key id), then the context.</summary>
    public static byte[] WrapAad(ReadOnlySpan<byte> header, byte[] context) => [0x57, .. header, .. context];

    /// <summary>0x44 ('D'), version, suite, then the context.</summary>
    public static byte[] DataAad(byte version, byte suite, byte[] context) => [0x44, version, suite, .. context];

    public readonly struct Parts(byte[] envelope, int keyIdLength)
    {
        public ReadOnlySpan<byte> Header => envelope.AsSpan(0, 3 + keyIdLength);

        public string KeyId => Encoding.ASCII.GetString(envelope, 3, keyIdLength);

        public ReadOnlySpan<byte> WrapNonce => envelope.AsSpan(3 + keyIdLength, 12);

        public ReadOnlySpan<byte> WrappedDek => envelope.AsSpan(15 + keyIdLength, 32);

        public ReadOnlySpan<byte> WrapTag => envelope.AsSpan(47 + keyIdLength, 16);

        public ReadOnlySpan<byte> DataLayer => envelope.AsSpan(63 + keyIdLength);

        public ReadOnlySpan<byte> DataNonce => envelope.AsSpan(63 + keyIdLength, 12);

        public ReadOnlySpan<byte> Ciphertext => envelope.AsSpan(75 + keyIdLength, envelope.Length - 75 - keyIdLength - 16);

        public ReadOnlySpan<byte> DataTag => envelope.AsSpan(envelope.Length - 16);
    }
}
