using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.AwsKms.Internal;

/// <summary>The package's log messages: event ids 3100–3149. Never a data key or a ciphertext blob.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, EventName = "AwsKmsUnavailable", Level = LogLevel.Error,
        Message = "AWS KMS cannot be used now for key {KeyId}: {Problem}.")]
    public static partial void AwsKmsUnavailable(this ILogger logger, string keyId, string problem);

    [LoggerMessage(EventId = 3101, EventName = "AwsKmsKeyOperation", Level = LogLevel.Trace,
        Message = "AWS KMS key {KeyId} {Operation} a data key for company {CompanyId}, field {FieldName}.")]
    public static partial void AwsKmsKeyOperation(this ILogger logger, string keyId, string operation, string companyId, string fieldName);
}
