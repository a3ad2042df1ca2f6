using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks the key ring configuration at start-up, with messages that name the setting to fix.</summary>
internal sealed class CredentialVaultOptionsValidator(IEnumerable<IKeyWrapper> custodians) : IValidateOptions<CredentialVaultOptions>
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.VaultSectionName;
    private const string KeysSetting = Section + ":Keys";
    private const string ActiveKeyIdSetting = Section + ":ActiveKeyId";
    private const string WrapKeyIdSetting = Section + ":WrapKeyId";
    private const string ProbeCompanyId = "einvoice-startup-probe";
    private const string ProbeFieldName = "custody.probe";

    public ValidateOptionsResult Validate(string? name, CredentialVaultOptions options)
    {
        var failures = new List<string>();

        // An empty value takes a key out of the ring: a configuration source can override a key set by another source
        // (an environment variable over a secret file) but cannot remove it, so emptying it is how a key is retired.
        var keys = options.Keys.Where(k => !string.IsNullOrEmpty(k.Value)).ToList();
        if (keys.Count == 0)
        {
            failures.Add(
                $"No key-encryption key is configured. Set '{KeysSetting}:<id>' to the base64 form of 32 random bytes " +
                $"(for example from 'openssl rand -base64 32') and '{ActiveKeyIdSetting}' to that id.");
        }

        foreach (var (id, base64) in keys)
        {
            if (!KeyEncryptionKeyRules.IsValidKeyId(id))
            {
                failures.Add($"The key id in '{KeysSetting}:{id}' is not valid: use {KeyEncryptionKeyRules.KeyIdRule}.");
                continue;
            }

            if (custodians.Any(c => c.HoldsKey(id)))
            {
                // Which key opens an envelope under this id would depend on the order of lookup: refuse the ambiguity.
                failures.Add($"The key id of '{KeysSetting}:{id}' is also held by a registered key custodian: give the ring key or the custodian's key another id.");
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
        else if (keys.Count > 0 && !keys.Exists(k => string.Equals(k.Key, options.ActiveKeyId, StringComparison.Ordinal)))
        {
            failures.Add(options.Keys.ContainsKey(options.ActiveKeyId)
                ? $"'{ActiveKeyIdSetting}' is '{options.ActiveKeyId}', whose key '{KeysSetting}:{options.ActiveKeyId}' is empty: an empty key is not in the ring, and the active key must be."
                : $"'{ActiveKeyIdSetting}' is '{options.ActiveKeyId}', which is not one of the keys in '{KeysSetting}'.");
        }

        if (options.WrapKeyId is { } wrapKeyId && !keys.Exists(k => string.Equals(k.Key, wrapKeyId, StringComparison.Ordinal)))
        {
            if (!KeyEncryptionKeyRules.IsValidKeyId(wrapKeyId))
            {
                failures.Add($"'{WrapKeyIdSetting}' is not a valid key id: use {KeyEncryptionKeyRules.KeyIdRule}.");
            }
            else if (custodians.FirstOrDefault(c => c.HoldsKey(wrapKeyId)) is not { } custodian)
            {
                failures.Add(
                    $"'{WrapKeyIdSetting}' is '{wrapKeyId}', which is neither one of the keys in '{KeysSetting}' nor held by a registered key custodian " +
                    "(register one, for example with AddPkcs11KeyCustody, or clear the setting to wrap with the local key ring).");
            }
            else if (Probe(custodian, wrapKeyId) is { } problem)
            {
                failures.Add($"The key custodian of '{WrapKeyIdSetting}' ('{wrapKeyId}') cannot wrap and unwrap a probe, so nothing could be sealed or opened: {problem}");
            }
        }

        if (!options.LocalKeysOpenEnvelopes && (options.WrapKeyId is not { } custodianKey || keys.Exists(k => string.Equals(k.Key, custodianKey, StringComparison.Ordinal))))
        {
            failures.Add(
                $"'{Section}:LocalKeysOpenEnvelopes' is false, so the local keys seal nothing: set '{WrapKeyIdSetting}' to a key held by a registered key " +
                "custodian (and run RewrapAllAsync to it first), or set LocalKeysOpenEnvelopes back to true.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// Wraps a random data key with the custodian and unwraps it again, once, at start-up: a custodian that cannot (an
    /// unreachable HSM, a wrong PIN, a key without the right usage) stops the host instead of failing the first seal.
    /// Validation is synchronous, so the probe waits for the custodian here, once per process.
    /// </summary>
    private static string? Probe(IKeyWrapper custodian, string keyId)
    {
        var dataKey = GC.AllocateArray<byte>(32, pinned: true);
        var unwrapped = GC.AllocateArray<byte>(32, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(dataKey);
            var context = new KeyWrapContext(keyId, ProbeCompanyId, ProbeFieldName);
            var wrapped = custodian.WrapKeyAsync(dataKey, context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            custodian.UnwrapKeyAsync(wrapped, context, unwrapped, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            return CryptographicOperations.FixedTimeEquals(dataKey, unwrapped) ? null : "the probe did not unwrap to what was wrapped.";
        }
        catch (Exception ex)
        {
            // Custodian messages carry no key material (IKeyWrapper's contract); they name what to fix.
            return $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(unwrapped);
        }
    }
}
