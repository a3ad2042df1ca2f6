using System.Net;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The one rule set for credential fields, applied before anything is sealed or stored.</summary>
internal static class CredentialRules
{
    public const int MaxTextLength = 256;
    public const int MaxScopeLength = 1024;
    public const int MaxSecretLength = 8192;
    public const int MaxUriLength = 2048;

    /// <summary>Checks every field an update sets; throws <see cref="ArgumentException"/> naming the property.</summary>
    public static void ValidateUpdate(CredentialUpdate update, bool allowHttpOnLoopback)
    {
        const string Parameter = "update";
        if (update.Mode is { } mode && !Enum.IsDefined(mode))
        {
            throw new ArgumentException($"CredentialUpdate.Mode {(int)mode} is not a known transmission mode.", Parameter);
        }

        if (update.Environment is { IsDefault: true })
        {
            throw new ArgumentException("CredentialUpdate.Environment names no environment.", Parameter);
        }

        ValidateText(update.ClientId, nameof(CredentialUpdate.ClientId), Parameter);
        ValidateText(update.AspIdentifier, nameof(CredentialUpdate.AspIdentifier), Parameter);
        ValidateText(update.AspProviderName, nameof(CredentialUpdate.AspProviderName), Parameter);
        ValidateSecret(update.ClientSecret, nameof(CredentialUpdate.ClientSecret), Parameter);
        ValidateSecret(update.ApiKey, nameof(CredentialUpdate.ApiKey), Parameter);
        ValidateEndpoint(update.TokenEndpoint, nameof(CredentialUpdate.TokenEndpoint), allowHttpOnLoopback, Parameter);
        ValidateEndpoint(update.ApiEndpoint, nameof(CredentialUpdate.ApiEndpoint), allowHttpOnLoopback, Parameter);
        ValidateEndpoint(update.AspEndpoint, nameof(CredentialUpdate.AspEndpoint), allowHttpOnLoopback, Parameter);

        ValidateScope(update.Scope, Parameter);
        if (update.ExpectedVersion is < 0)
        {
            throw new ArgumentException("CredentialUpdate.ExpectedVersion may not be negative.", Parameter);
        }
    }

    /// <summary>
    /// Checks the row a change would store, as a whole: every plain field against the same rules as an update (a
    /// field kept from storage is checked again, against today's options), and everything the mode needs present.
    /// Throws <see cref="ArgumentException"/> naming the field.
    /// </summary>
    public static void ValidateRow(StoredCredential row, bool allowHttpOnLoopback, string parameterName)
    {
        ValidateText(row.ClientId, nameof(CredentialUpdate.ClientId), parameterName);
        ValidateText(row.AspIdentifier, nameof(CredentialUpdate.AspIdentifier), parameterName);
        ValidateText(row.AspProviderName, nameof(CredentialUpdate.AspProviderName), parameterName);
        ValidateStoredEndpoint(row.TokenEndpoint, nameof(CredentialUpdate.TokenEndpoint), allowHttpOnLoopback, parameterName);
        ValidateStoredEndpoint(row.ApiEndpoint, nameof(CredentialUpdate.ApiEndpoint), allowHttpOnLoopback, parameterName);
        ValidateStoredEndpoint(row.AspEndpoint, nameof(CredentialUpdate.AspEndpoint), allowHttpOnLoopback, parameterName);
        ValidateScope(row.Scope, parameterName);
        if (IncompleteBecause(row) is { } problem)
        {
            throw new ArgumentException(problem, parameterName);
        }
    }

    private static void ValidateStoredEndpoint(string? value, string property, bool allowHttpOnLoopback, string parameterName)
    {
        if (value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"CredentialUpdate.{property} must be an absolute URI of at most {MaxUriLength} characters.", parameterName);
        }

        ValidateEndpoint(uri, property, allowHttpOnLoopback, parameterName);
    }

    /// <summary>Why the row lacks something its mode needs, or <see langword="null"/> when it is complete.</summary>
    public static string? IncompleteBecause(StoredCredential row)
    {
        var missing = new List<string>();
        switch (row.Mode)
        {
            case TransmissionMode.DirectDctce:
                AddIfMissing(missing, row.ClientId, nameof(CredentialUpdate.ClientId));
                AddIfMissing(missing, row.ClientSecret, nameof(CredentialUpdate.ClientSecret));
                AddIfMissing(missing, row.TokenEndpoint, nameof(CredentialUpdate.TokenEndpoint));
                AddIfMissing(missing, row.ApiEndpoint, nameof(CredentialUpdate.ApiEndpoint));
                break;
            case TransmissionMode.AspProvider:
                AddIfMissing(missing, row.ApiKey, nameof(CredentialUpdate.ApiKey));
                AddIfMissing(missing, row.AspEndpoint, nameof(CredentialUpdate.AspEndpoint));
                break;
            case TransmissionMode.Sandbox when !TransmissionEnvironment.Sandbox.Equals(ParseEnvironment(row.Environment)):
                return "Sandbox mode is only valid in the Sandbox environment.";
        }

        return missing.Count == 0
            ? null
            : $"{row.Mode} credentials need {string.Join(", ", missing)}; set {(missing.Count == 1 ? "it" : "them")} in the CredentialUpdate.";
    }

    public static TransmissionEnvironment ParseEnvironment(string name)
        => TransmissionEnvironment.TryParse(name, out var environment) ? environment : default;

    public static bool IsHttpAllowed(Uri uri, bool allowHttpOnLoopback)
        => uri.Scheme == Uri.UriSchemeHttps
            || (allowHttpOnLoopback && uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static void AddIfMissing(List<string> missing, object? value, string name)
    {
        if (value is null)
        {
            missing.Add(name);
        }
    }

    private static void ValidateText(string? value, string property, string parameterName)
    {
        if (value is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxTextLength || value.Any(char.IsControl) || value.Trim().Length != value.Length)
        {
            throw new ArgumentException(
                $"CredentialUpdate.{property} must be 1 to {MaxTextLength} characters without control characters or surrounding white space.", parameterName);
        }
    }

    private static void ValidateSecret(SecretValue? value, string property, string parameterName)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > MaxSecretLength)
        {
            throw new ArgumentException($"CredentialUpdate.{property} is longer than {MaxSecretLength} characters.", parameterName);
        }

        // A pasted line break, a secret of blanks or the redaction placeholder read back from a status page: each would
        // be stored and then fail at the platform, or worse, be sent in a header where a line break splits the request.
        var secret = value.Reveal();
        if (string.IsNullOrWhiteSpace(secret) || secret.Any(char.IsControl)
            || secret.Trim().Equals(SecretValue.RedactedText, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"CredentialUpdate.{property} must contain more than white space, no line breaks or other control characters, and not be the placeholder {SecretValue.RedactedText}.",
                parameterName);
        }
    }

    private static void ValidateEndpoint(Uri? value, string property, bool allowHttpOnLoopback, string parameterName)
    {
        if (value is null)
        {
            return;
        }

        if (!value.IsAbsoluteUri || value.OriginalString.Length > MaxUriLength)
        {
            throw new ArgumentException($"CredentialUpdate.{property} must be an absolute URI of at most {MaxUriLength} characters.", parameterName);
        }

        if (!string.IsNullOrEmpty(value.UserInfo) || !string.IsNullOrEmpty(value.Fragment))
        {
            throw new ArgumentException($"CredentialUpdate.{property} may not contain user information or a fragment.", parameterName);
        }

        if (!IsHttpAllowed(value, allowHttpOnLoopback))
        {
            throw new ArgumentException(
                $"CredentialUpdate.{property} must use https. Plain http is accepted only for a loopback address, and only when " +
                $"EInvoiceTransmission:Credentials:{nameof(CredentialStoreOptions.AllowHttpOnLoopback)} is true.", parameterName);
        }
    }

    private static void ValidateScope(string? scope, string parameterName)
    {
        if (scope is not null && !IsValidScope(scope))
        {
            throw new ArgumentException(
                $"CredentialUpdate.Scope must be space-separated OAuth scope tokens (RFC 6749 section 3.3), at most {MaxScopeLength} characters.", parameterName);
        }
    }

    /// <summary>RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.</summary>
    private static bool IsValidScope(string scope)
    {
        if (scope.Length is 0 or > MaxScopeLength || scope[0] == ' ' || scope[^1] == ' ' || scope.Contains("  ", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in scope)
        {
            if (!(c == ' ' || c == 0x21 || c is >= (char)0x23 and <= (char)0x5B || c is >= (char)0x5D and <= (char)0x7E))
            {
                return false;
            }
        }

        return true;
    }
}
