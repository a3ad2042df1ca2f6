using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Every log message of this assembly. Ids: vault 1000-1099, OAuth 1100-1199, DI and configuration 1200-1299,
/// credentials and audit 1300-1399. Ids are never reused. No message ever carries a secret, a token, key material
/// or an Authorization header.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "KeyRingLoaded", Level = LogLevel.Information,
        Message = "Loaded the key-encryption key ring: active key {KeyId}, {KeyCount} keys in all.")]
    public static partial void KeyRingLoaded(this ILogger logger, string keyId, int keyCount);
}
