using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks the ranges declared on <see cref="CredentialExpiryReminderOptions"/> (source-generated).</summary>
[OptionsValidator]
internal sealed partial class CredentialExpiryReminderOptionsValidator : IValidateOptions<CredentialExpiryReminderOptions>;

/// <summary>Checks what the declarations cannot: the thresholds.</summary>
internal sealed class CredentialExpiryReminderThresholdsValidator : IValidateOptions<CredentialExpiryReminderOptions>
{
    public const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.RemindersSectionName;

    public ValidateOptionsResult Validate(string? name, CredentialExpiryReminderOptions options)
    {
        var thresholds = options.Thresholds;
        if (thresholds is null)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (thresholds.Count == 0)
        {
            failures.Add($"'{Section}:{nameof(CredentialExpiryReminderOptions.Thresholds)}' is empty; leave it unset for 30, 7 and 1 days, or name at least one.");
        }

        foreach (var threshold in thresholds)
        {
            if (threshold < TimeSpan.FromMinutes(1) || threshold > TimeSpan.FromDays(3650))
            {
                failures.Add($"'{Section}:{nameof(CredentialExpiryReminderOptions.Thresholds)}' has {threshold}; each threshold must be between one minute and 3650 days.");
            }
        }

        if (thresholds.Distinct().Count() != thresholds.Count)
        {
            failures.Add($"'{Section}:{nameof(CredentialExpiryReminderOptions.Thresholds)}' names a threshold twice.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
