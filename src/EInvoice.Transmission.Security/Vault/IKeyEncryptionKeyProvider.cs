namespace EInvoice.Transmission.Security;

/// <summary>
/// Supplies the key ring the <see cref="CredentialVault"/> seals and opens with.
/// </summary>
/// <remarks>
/// The built-in provider reads the ring from <see cref="CredentialVaultOptions"/>. Implement this interface to load
/// keys from a key management service or an HSM-backed store. The vault calls <see cref="GetKeyRing"/> on every
/// operation, so return a cached ring and replace it only when the keys change.
/// </remarks>
public interface IKeyEncryptionKeyProvider
{
    /// <summary>Returns the current key ring.</summary>
    /// <returns>The ring; the same instance until the keys change.</returns>
    KeyEncryptionKeyRing GetKeyRing();
}
