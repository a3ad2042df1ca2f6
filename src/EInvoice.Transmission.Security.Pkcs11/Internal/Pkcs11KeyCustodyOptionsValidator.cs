using System.Globalization;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Pkcs11.Internal;

/// <summary>Checks the PKCS#11 settings at start-up, with messages that name the setting to fix. Never echoes the PIN.</summary>
internal sealed class Pkcs11KeyCustodyOptionsValidator : IValidateOptions<Pkcs11KeyCustodyOptions>
{
    private const string Section = "EInvoiceTransmission:Pkcs11";

    public ValidateOptionsResult Validate(string? name, Pkcs11KeyCustodyOptions options)
    {
        var failures = new List<string>();
        Require(options.LibraryPath, "LibraryPath", "the path of the token's PKCS#11 module, such as /usr/lib/softhsm/libsofthsm2.so");
        Require(options.TokenLabel, "TokenLabel", "the label of the token that holds the key");
        Require(options.UserPin, "UserPin", "the token's user PIN, from a secret store");
        if (string.IsNullOrWhiteSpace(options.KeyLabel) && string.IsNullOrWhiteSpace(options.KeyObjectId))
        {
            failures.Add($"Neither '{Section}:KeyLabel' nor '{Section}:KeyObjectId' is set: set one to find the AES-256 key object on the token.");
        }

        if (options.KeyObjectId is { Length: > 0 } id && (id.Length % 2 != 0 || !id.All(char.IsAsciiHexDigit)))
        {
            failures.Add($"'{Section}:KeyObjectId' is not hexadecimal: give the key object's CKA_ID as hex digits.");
        }

        if (!IsValidKeyId(options.KeyId))
        {
            failures.Add($"'{Section}:KeyId' is not set or not valid: use 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (the id envelopes and 'EInvoiceTransmission:Vault:WrapKeyId' name this key by).");
        }

        if (!Enum.IsDefined(options.Mechanism))
        {
            failures.Add($"'{Section}:Mechanism' is not one of Auto, AesGcm, AesKeyWrapPad.");
        }

        if (options.MaxPooledSessions is < 1 or > 256)
        {
            failures.Add($"'{Section}:MaxPooledSessions' is {options.MaxPooledSessions.ToString(CultureInfo.InvariantCulture)}: use 1 to 256.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(string? value, string setting, string what)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"'{Section}:{setting}' is not set: set it to {what}.");
            }
        }
    }

    private static bool IsValidKeyId(string? keyId)
        => keyId is { Length: >= 1 and <= 64 } && keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
