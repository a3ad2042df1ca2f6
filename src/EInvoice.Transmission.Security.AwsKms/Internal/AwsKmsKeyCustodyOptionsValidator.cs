using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.AwsKms.Internal;

/// <summary>Checks the AWS KMS settings at start-up, with messages that name the setting to fix.</summary>
internal sealed class AwsKmsKeyCustodyOptionsValidator : IValidateOptions<AwsKmsKeyCustodyOptions>
{
    private const string Section = "EInvoiceTransmission:AwsKms";

    public ValidateOptionsResult Validate(string? name, AwsKmsKeyCustodyOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.KmsKeyId))
        {
            failures.Add($"'{Section}:KmsKeyId' is not set: set it to the KMS key's id, ARN or alias (alias/...).");
        }

        if (options.KeyId is not { Length: >= 1 and <= 64 } keyId || !keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            failures.Add($"'{Section}:KeyId' is not set or not valid: use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (the id envelopes and 'EInvoiceTransmission:Vault:WrapKeyId' name this key by).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
