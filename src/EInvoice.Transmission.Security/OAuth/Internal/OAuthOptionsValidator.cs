using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks <see cref="OAuthOptions"/> at start-up, naming the setting to fix.</summary>
internal sealed class OAuthOptionsValidator : IValidateOptions<OAuthOptions>
{
    private const string Section = EInvoiceTransmissionDefaults.ConfigurationSectionName + ":" + EInvoiceTransmissionDefaults.OAuthSectionName;

    public ValidateOptionsResult Validate(string? name, OAuthOptions options)
    {
        var failures = new List<string>();
        Range(nameof(OAuthOptions.RefreshBeforeExpiry), options.RefreshBeforeExpiry, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range(nameof(OAuthOptions.TokenRequestTimeout), options.TokenRequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Range(nameof(OAuthOptions.DefaultTokenLifetime), options.DefaultTokenLifetime, TimeSpan.FromSeconds(10), TimeSpan.FromHours(24));
        Range(nameof(OAuthOptions.InitialBackoff), options.InitialBackoff, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        Range(nameof(OAuthOptions.MaxBackoff), options.MaxBackoff, options.InitialBackoff, TimeSpan.FromHours(1));
        Range(nameof(OAuthOptions.CredentialRecheckInterval), options.CredentialRecheckInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));

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

        void Range(string setting, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
            {
                failures.Add($"'{Section}:{setting}' is {value}; it must be between {min} and {max}.");
            }
        }

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
