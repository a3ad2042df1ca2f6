using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The built-in provider: builds the ring once from validated <see cref="CredentialVaultOptions"/>.</summary>
/// <remarks>
/// The ring is fixed for the life of the process. To rotate, deploy the new key to every instance first, then make
/// it active (see docs/key-rotation in the README), so that no instance meets an envelope under a key it lacks.
/// </remarks>
internal sealed class OptionsKeyEncryptionKeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    private readonly Lazy<KeyEncryptionKeyRing> _ring;

    public OptionsKeyEncryptionKeyProvider(IOptions<CredentialVaultOptions> options, ILogger<OptionsKeyEncryptionKeyProvider> logger)
    {
        _ring = new(() =>
        {
            // Reading Value runs the validator, so a bad configuration fails here with the setting's name.
            var value = options.Value;
            var ring = KeyEncryptionKeyRing.FromBase64(value.ActiveKeyId!, value.Keys);
            logger.KeyRingLoaded(ring.ActiveKeyId, ring.KeyIds.Count);
            return ring;
        });
    }

    public KeyEncryptionKeyRing GetKeyRing() => _ring.Value;

    public void Dispose()
    {
        if (_ring.IsValueCreated)
        {
            _ring.Value.Dispose();
        }
    }
}
