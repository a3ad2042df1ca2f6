using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Pkcs11.Internal;

/// <summary>The package's log messages: event ids 3000–3049. Never a PIN, a key or a data key.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "Pkcs11KeyFound", Level = LogLevel.Information,
        Message = "PKCS#11 key {KeyId} found on token {TokenLabel}; data keys are wrapped with {Mechanism}.")]
    public static partial void Pkcs11KeyFound(this ILogger logger, string keyId, string tokenLabel, string mechanism);

    [LoggerMessage(EventId = 3010, EventName = "Pkcs11KeyRefused", Level = LogLevel.Error,
        Message = "PKCS#11 key {KeyId} on token {TokenLabel} is refused: {Problems}.")]
    public static partial void Pkcs11KeyRefused(this ILogger logger, string keyId, string tokenLabel, string problems);

    [LoggerMessage(EventId = 3002, EventName = "Pkcs11SessionLost", Level = LogLevel.Warning,
        Message = "PKCS#11 session for key {KeyId} lost ({ReturnValue}); the session pool is reset and the token is looked up again.")]
    public static partial void Pkcs11SessionLost(this ILogger logger, string keyId, string returnValue);

    [LoggerMessage(EventId = 3003, EventName = "Pkcs11TokenUnavailable", Level = LogLevel.Error,
        Message = "PKCS#11 token {TokenLabel} holding key {KeyId} cannot be used now: {Problem}.")]
    public static partial void Pkcs11TokenUnavailable(this ILogger logger, string tokenLabel, string keyId, string problem);

    [LoggerMessage(EventId = 3004, EventName = "Pkcs11KeyOperation", Level = LogLevel.Trace,
        Message = "PKCS#11 key {KeyId} {Operation} a data key (suite 0x{Suite:x2}) for company {CompanyId}, field {FieldName}.")]
    public static partial void Pkcs11KeyOperation(this ILogger logger, string keyId, string operation, byte suite, string companyId, string fieldName);
}
