using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks the key ring configuration at start-up, with messages that name the setting to fix.</summary>
internal sealed class CredentialVaultOptionsValidator : IValidateOptions<CredentialVaultOptions>
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.VaultSectionName;
    private const string KeysSetting = Section + ":Keys";
    private const string ActiveKeyIdSetting = Section + ":ActiveKeyId";

    public ValidateOptionsResult Validate(string? name, CredentialVaultOptions options)
    {
        var failures = new List<string>();
        if (options.Keys.Count == 0)
        {
            failures.Add(
                $"No key-encryption key is configured. Set '{KeysSetting}:<id>' to the base64 form of 32 random bytes " +
                $"(for example from 'openssl rand -base64 32') and '{ActiveKeyIdSetting}' to that id.");
        }

        foreach (var (id, base64) in options.Keys)
        {
            if (!KeyEncryptionKeyRules.IsValidKeyId(id))
            {
                failures.Add($"The key id in '{KeysSetting}:{id}' is not valid: use {KeyEncryptionKeyRules.KeyIdRule}.");
                continue;
            }

            var key = KeyEncryptionKeyRules.TryDecode(base64, out var problem);
            if (key is null)
            {
                failures.Add($"The key '{KeysSetting}:{id}' cannot be used: {problem}.");
            }
            else
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        if (string.IsNullOrWhiteSpace(options.ActiveKeyId))
        {
            failures.Add($"'{ActiveKeyIdSetting}' is not set. Set it to the id of the key in '{KeysSetting}' that seals new values.");
        }
        else if (options.Keys.Count > 0 && !options.Keys.ContainsKey(options.ActiveKeyId))
        {
            failures.Add($"'{ActiveKeyIdSetting}' is '{options.ActiveKeyId}', which is not one of the keys in '{KeysSetting}'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
