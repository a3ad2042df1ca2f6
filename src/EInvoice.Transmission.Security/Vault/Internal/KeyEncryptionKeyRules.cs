using System.Buffers.Text;
using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The one rule set for key ids and key bytes, shared by the key ring and the options validator.</summary>
internal static class KeyEncryptionKeyRules
{
    public const int KeySizeInBytes = 32;
    public const int MaxKeyIdLength = 64;

    public static bool IsValidKeyId(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId) || keyId.Length > MaxKeyIdLength)
        {
            return false;
        }

        foreach (var c in keyId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public const string KeyIdRule = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";

    /// <summary>Returns why <paramref name="key"/> is not a usable key-encryption key, or <see langword="null"/>.</summary>
    public static string? GetKeyProblem(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySizeInBytes)
        {
            return $"it is {key.Length} bytes long; a key-encryption key must be exactly {KeySizeInBytes} random bytes";
        }

        // 32 random bytes are all printable ASCII with probability (95/256)^32 < 1e-13, and have fewer than 16
        // distinct values with a far smaller one. Either almost certainly means a passphrase or a pattern.
        var printable = true;
        Span<bool> seen = stackalloc bool[256];
        var distinct = 0;
        foreach (var b in key)
        {
            printable &= b is >= 0x20 and <= 0x7E;
            if (!seen[b])
            {
                seen[b] = true;
                distinct++;
            }
        }

        if (printable)
        {
            return "it is printable text (a passphrase?); a key-encryption key must be 32 random bytes, for example from RandomNumberGenerator.GetBytes(32)";
        }

        if (distinct < 16)
        {
            return "it has too little variety to be random; a key-encryption key must be 32 random bytes, for example from RandomNumberGenerator.GetBytes(32)";
        }

        return null;
    }

    /// <summary>Decodes a base64 key into a new pinned array, or returns why it cannot.</summary>
    public static byte[]? TryDecode(string? base64, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            problem = "it is empty";
            return null;
        }

        var trimmed = base64.AsSpan().Trim();
        if (!Base64.IsValid(trimmed, out var length))
        {
            problem = "it is not valid base64";
            return null;
        }

        if (length != KeySizeInBytes)
        {
            problem = $"it decodes to {length} bytes; a key-encryption key must be exactly {KeySizeInBytes} random bytes";
            return null;
        }

        // Pinned so the garbage collector never leaves copies of the key behind when it compacts the heap.
        var key = GC.AllocateUninitializedArray<byte>(KeySizeInBytes, pinned: true);
        if (!Convert.TryFromBase64Chars(trimmed, key, out var written) || written != KeySizeInBytes)
        {
            CryptographicOperations.ZeroMemory(key);
            problem = "it is not valid base64";
            return null;
        }

        problem = GetKeyProblem(key);
        if (problem is not null)
        {
            CryptographicOperations.ZeroMemory(key);
            return null;
        }

        return key;
    }
}
