using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks the ranges declared on <see cref="OAuthOptions"/>' properties at start-up (source-generated).</summary>
[OptionsValidator]
internal sealed partial class OAuthOptionsValidator : IValidateOptions<OAuthOptions>;

/// <summary>Checks what <see cref="OAuthOptions"/>' attributes cannot say: rules between settings, and the formats of header names and scopes.</summary>
internal sealed class OAuthOptionsRulesValidator : IValidateOptions<OAuthOptions>
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.OAuthSectionName;

    public ValidateOptionsResult Validate(string? name, OAuthOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"'{Section}:{nameof(OAuthOptions.MaxBackoff)}' is {options.MaxBackoff}; it must be at least '{Section}:{nameof(OAuthOptions.InitialBackoff)}' ({options.InitialBackoff}).");
        }

        if (!Enum.IsDefined(options.ClientAuthentication))
        {
            failures.Add($"'{Section}:{nameof(OAuthOptions.ClientAuthentication)}' must be ClientSecretPost or ClientSecretBasic.");
        }

        if (options.DefaultScope is null || options.DefaultScope.Any(c => c is < (char)0x20 or '"' or '\\' or > (char)0x7E))
        {
            failures.Add($"'{Section}:{nameof(OAuthOptions.DefaultScope)}' must be space-separated scope tokens (RFC 6749 section 3.3), or empty.");
        }

        Header(nameof(OAuthOptions.ApiKeyHeaderName), options.ApiKeyHeaderName, required: true);
        Header(nameof(OAuthOptions.AspIdentifierHeaderName), options.AspIdentifierHeaderName, required: false);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Header(string setting, string? value, bool required)
        {
            if (value is null && !required)
            {
                return;
            }

            // RFC 9110 token characters; Authorization is the handler's own header.
            if (string.IsNullOrEmpty(value)
                || !value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
                || value.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"'{Section}:{setting}' must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), other than Authorization.");
            }
        }
    }
}
