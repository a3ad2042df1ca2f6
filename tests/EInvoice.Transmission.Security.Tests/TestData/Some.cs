using System.Security.Cryptography;

namespace EInvoice.Transmission.Security.Tests.TestData;

/// <summary>Builds variations of <see cref="The"/> values.</summary>
public static class Some
{
    public static KeyEncryptionKeyRing KeyRing(string activeKeyId = The.KeyId, params (string Id, string Base64)[] keys)
    {
        if (keys.Length == 0)
        {
            keys = [(The.KeyId, The.Key)];
        }

        return new KeyEncryptionKeyRing(activeKeyId, keys.Select(k => new KeyValuePair<string, byte[]>(k.Id, Convert.FromBase64String(k.Base64))));
    }

    public static CredentialVault Vault(string activeKeyId = The.KeyId, params (string Id, string Base64)[] keys)
        => new(new FixedKeyProvider(KeyRing(activeKeyId, keys)));

    /// <summary>A vault whose ring holds the original key and the new one, the new one active.</summary>
    public static CredentialVault RotatedVault()
        => Vault(The.NewKeyId, (The.KeyId, The.Key), (The.NewKeyId, The.NewKey));

    public static byte[] Bytes(int length) => RandomNumberGenerator.GetBytes(length);

    public sealed class FixedKeyProvider(KeyEncryptionKeyRing ring) : IKeyEncryptionKeyProvider
    {
        public KeyEncryptionKeyRing GetKeyRing() => ring;
    }
}
