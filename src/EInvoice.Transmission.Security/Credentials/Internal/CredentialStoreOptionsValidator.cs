using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks <see cref="CredentialStoreOptions"/> at start-up, naming the setting to fix.</summary>
internal sealed class CredentialStoreOptionsValidator : IValidateOptions<CredentialStoreOptions>
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.CredentialsSectionName;

    public ValidateOptionsResult Validate(string? name, CredentialStoreOptions options)
    {
        var failures = new List<string>();
        if (options.MfaMaxAge < TimeSpan.FromSeconds(10) || options.MfaMaxAge > TimeSpan.FromHours(1))
        {
            failures.Add($"'{Section}:{nameof(CredentialStoreOptions.MfaMaxAge)}' is {options.MfaMaxAge}; it must be between 00:00:10 and 01:00:00.");
        }

        if (options.RotationBatchSize is < 1 or > 10_000)
        {
            failures.Add($"'{Section}:{nameof(CredentialStoreOptions.RotationBatchSize)}' is {options.RotationBatchSize}; it must be between 1 and 10000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
