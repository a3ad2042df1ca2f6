using System.Net;

// Every rule here checks the caller's CredentialUpdate, so every exception names the parameter "update".
#pragma warning disable CA2208

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The one rule set for credential fields, applied before anything is sealed or stored. Every rule comes from the
/// kind's declarations (<see cref="CredentialKind.Fields"/>) and its <see cref="CredentialKind.Validate"/>.
/// </summary>
internal static class CredentialRules
{
    public const int MaxTextLength = 256;
    public const int MaxScopeLength = 1024;
    public const int MaxSecretLength = 8192;
    public const int MaxUriLength = 2048;
    private const string Parameter = "update";

    /// <summary>Checks what can be checked without the stored row: environment, version, and each secret's own rules.</summary>
    public static void ValidateUpdateShape(CredentialUpdate update)
    {
        if (update.Environment is { IsDefault: true })
        {
            throw new ArgumentException("CredentialUpdate.Environment names no environment.", Parameter);
        }

        if (update.ExpectedVersion is < 0)
        {
            throw new ArgumentException("CredentialUpdate.ExpectedVersion may not be negative.", Parameter);
        }

        if (update.Settings is null || update.Secrets is null || update.SecretExpiries is null)
        {
            throw new ArgumentException("CredentialUpdate.Settings, CredentialUpdate.Secrets and CredentialUpdate.SecretExpiries may not be null.", Parameter);
        }
    }

    /// <summary>
    /// Checks every field an update sets against the kind's declarations; throws <see cref="ArgumentException"/> naming
    /// the field.
    /// </summary>
    public static void ValidateFields(CredentialKind kind, CredentialUpdate update, bool allowHttpOnLoopback)
    {
        foreach (var (name, value) in update.Settings)
        {
            var field = Declared(kind, name, isSecret: false);
            if (value is not null)
            {
                ValidateValue(field, name, value, isSecret: false, allowHttpOnLoopback);
            }
        }

        foreach (var (name, secret) in update.Secrets)
        {
            var field = Declared(kind, name, isSecret: true);
            if (secret is not null)
            {
                ValidateSecret(field, name, secret);
            }
        }
    }

    /// <summary>
    /// Checks the credential a change would store, as a whole: every setting against its declaration (a value kept from
    /// storage is checked again, against today's options), every required field present, headers that do not collide,
    /// and the kind's own rules. Throws <see cref="ArgumentException"/> naming the field.
    /// </summary>
    public static void ValidateRow(CredentialKind kind, StoredCredential row, bool allowHttpOnLoopback, string parameterName)
    {
        try
        {
            foreach (var (name, value) in row.Settings)
            {
                ValidateValue(Declared(kind, name, isSecret: false), name, value, isSecret: false, allowHttpOnLoopback);
            }

            foreach (var name in row.Secrets.Keys)
            {
                Declared(kind, name, isSecret: true);
            }

            if (IncompleteBecause(kind, row) is { } problem)
            {
                throw new ArgumentException(problem, Parameter);
            }

            kind.Validate(new CredentialValues(row.CompanyId, ParseEnvironment(row.Environment), row.Settings, [.. row.Secrets.Keys]));
            ValidateHeaders(kind, row);
        }
        catch (ArgumentException ex) when (ex.ParamName is null)
        {
            // A kind's own rule names the field in its message; the parameter is the update.
            throw new ArgumentException($"CredentialUpdate.{ex.Message}", parameterName, ex);
        }
    }

    /// <summary>Why the row lacks something its kind requires, or <see langword="null"/> when it is complete.</summary>
    public static string? IncompleteBecause(CredentialKind kind, StoredCredential row)
    {
        var missing = new List<string>();
        foreach (var field in kind.Fields)
        {
            if (field.IsRequired && !(field.IsSecret ? row.Secrets.ContainsKey(field.Name) : row.Settings.ContainsKey(field.Name)))
            {
                missing.Add(Describe(field.Name, field.IsSecret));
            }
        }

        return missing.Count == 0
            ? null
            : $"Credentials of kind '{kind.Name}' need {string.Join(", ", missing)}; set {(missing.Count == 1 ? "it" : "them")} in the CredentialUpdate.";
    }

    public static TransmissionEnvironment ParseEnvironment(string name)
        => TransmissionEnvironment.TryParse(name, out var environment) ? environment : default;

    public static bool IsHttpAllowed(Uri uri, bool allowHttpOnLoopback)
        => uri.Scheme == Uri.UriSchemeHttps
            || (allowHttpOnLoopback && uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri));

    /// <summary>How messages name a field of an update: <c>Settings["name"]</c> or <c>Secrets["name"]</c>.</summary>
    public static string Describe(string name, bool isSecret) => $"{(isSecret ? "Secrets" : "Settings")}[\"{name}\"]";

    private static CredentialField Declared(CredentialKind kind, string name, bool isSecret)
    {
        ArgumentNullException.ThrowIfNull(name, Parameter);
        if (kind.FindField(name, isSecret) is { } field)
        {
            if (field.IsFamily && !IsFamilyMemberName(field, name))
            {
                throw new ArgumentException(
                    $"CredentialUpdate.{Describe(name, isSecret)}: '{name[field.Name.Length..]}' is not a valid {(field.Rule == CredentialFieldRule.HeaderValue ? "HTTP header name for credentials (Host, Content-*, Proxy-* and the framing headers are not)" : "parameter name")}.",
                    Parameter);
            }

            return field;
        }

        var other = kind.FindField(name, !isSecret) is not null;
        throw new ArgumentException(
            other
                ? $"CredentialUpdate.{Describe(name, isSecret)}: '{name}' is a {(isSecret ? "plain setting" : "secret")} of kind '{kind.Name}'; set it in CredentialUpdate.{(isSecret ? "Settings" : "Secrets")}."
                : $"CredentialUpdate.{Describe(name, isSecret)}: kind '{kind.Name}' has no {(isSecret ? "secret" : "setting")} '{name}'; it has {string.Join(", ", kind.Fields.Where(f => f.IsSecret == isSecret).Select(f => f.IsFamily ? f.Name + "*" : f.Name))}.",
            Parameter);
    }

    private static bool IsFamilyMemberName(CredentialField field, string name)
    {
        var suffix = name.AsSpan(field.Name.Length);
        return field.Rule == CredentialFieldRule.HeaderValue
            ? FieldNameRules.IsHeaderName(suffix) && !FieldNameRules.IsForbiddenCredentialHeader(name[field.Name.Length..])
            : FieldNameRules.IsMemberSuffix(suffix);
    }

    private static void ValidateValue(CredentialField field, string name, string value, bool isSecret, bool allowHttpOnLoopback)
    {
        var what = $"CredentialUpdate.{Describe(name, isSecret)}";
        if (value.Length > field.MaxLength)
        {
            throw new ArgumentException($"{what} is longer than {field.MaxLength} characters.", Parameter);
        }

        if (!IsWellFormed(value))
        {
            // A lone surrogate would be stored as U+FFFD and then no longer match its own seal.
            throw new ArgumentException($"{what} is not well-formed Unicode text (it has a lone surrogate).", Parameter);
        }

        switch (field.Rule)
        {
            case CredentialFieldRule.Endpoint:
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
                {
                    throw new ArgumentException($"{what} must be an absolute URI of at most {MaxUriLength} characters.", Parameter);
                }

                ValidateEndpoint(uri, what, allowHttpOnLoopback);
                break;
            case CredentialFieldRule.Scope when !IsValidScope(value):
                throw new ArgumentException($"{what} must be space-separated OAuth scope tokens (RFC 6749 section 3.3), at most {MaxScopeLength} characters.", Parameter);
            case CredentialFieldRule.Choice when !field.Choices.Contains(value, StringComparer.Ordinal):
                throw new ArgumentException($"{what} must be one of {string.Join(", ", field.Choices)}.", Parameter);
            case CredentialFieldRule.HeaderName when !FieldNameRules.IsHeaderName(value):
                throw new ArgumentException($"{what} must be an HTTP header name or scheme (a token: letters, digits and !#$%&'*+-.^_`|~).", Parameter);
            case CredentialFieldRule.HeaderValue when !FieldNameRules.IsHeaderValue(value):
                throw new ArgumentException($"{what} may not be empty, contain line breaks (CR, LF) or other control characters, or surrounding white space.", Parameter);
            case CredentialFieldRule.Text when string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl) || value.Trim().Length != value.Length:
                throw new ArgumentException($"{what} must be 1 to {field.MaxLength} characters without control characters or surrounding white space.", Parameter);
        }
    }

    private static void ValidateSecret(CredentialField field, string name, SecretValue value)
    {
        var what = $"CredentialUpdate.{Describe(name, isSecret: true)}";
        if (value.Length > field.MaxLength)
        {
            throw new ArgumentException($"{what} is longer than {field.MaxLength} characters.", Parameter);
        }

        // A pasted line break, a secret of blanks or the redaction placeholder read back from a status page: each would
        // be stored and then fail at the platform, or worse, be sent in a header where a line break splits the request.
        var secret = value.Reveal();
        if (!IsWellFormed(secret) || string.IsNullOrWhiteSpace(secret) || secret.Any(char.IsControl)
            || secret.Trim().Equals(SecretValue.RedactedText, StringComparison.OrdinalIgnoreCase)
            || secret.Trim().Length != secret.Length)
        {
            // Surrounding white space is a paste error, and a secret sent in a header could not carry it anyway.
            throw new ArgumentException(
                $"{what} must be well-formed text of more than white space, without line breaks, other control characters or surrounding white space, and not be the placeholder {SecretValue.RedactedText}.",
                Parameter);
        }
    }

    /// <summary>
    /// The <c>header.</c> family may not repeat a header (plain and secret, in any case), nor set one the kind sets
    /// itself, nor <c>Authorization</c>: each request would carry two values, or someone else's credentials.
    /// </summary>
    private static void ValidateHeaders(CredentialKind kind, StoredCredential row)
    {
        var placeholders = row.Secrets.Keys.ToDictionary(name => name, _ => new SecretValue("placeholder"), StringComparer.Ordinal);
        var probe = new CredentialValues(row.CompanyId, ParseEnvironment(row.Environment), row.Settings, placeholders);
        var own = new CredentialHeaders();
        try
        {
            kind.AddHeaders(probe, own);
        }
        catch (ArgumentException ex)
        {
            // The kind's own rule about its headers (a name or scheme it cannot use); its messages name no value.
            throw new ArgumentException($"CredentialUpdate: kind '{kind.Name}' cannot build its headers from these settings: {ex.Message}", Parameter, ex);
        }
        if (kind.UsesAccessToken && own.Authorization is not null)
        {
            throw new InvalidOperationException($"Credential kind '{kind.Name}' uses access tokens and sets Authorization itself; the token is sent as Authorization: Bearer.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, isSecret) in row.Settings.Keys.Select(n => (n, false)).Concat(row.Secrets.Keys.Select(n => (n, true))))
        {
            if (!name.StartsWith(FieldNameRules.HeaderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var header = name[FieldNameRules.HeaderPrefix.Length..];
            if (header.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || own.Contains(header))
            {
                throw new ArgumentException($"CredentialUpdate.{Describe(name, isSecret)}: kind '{kind.Name}' sets the header '{header}' itself.", Parameter);
            }

            if (!seen.Add(header))
            {
                throw new ArgumentException($"CredentialUpdate.{Describe(name, isSecret)}: the header '{header}' is set twice (header names ignore case; a header is plain or secret, not both).", Parameter);
            }
        }
    }

    private static bool IsWellFormed(string value) => System.Text.Unicode.Utf8.FromUtf16(value, new byte[value.Length * 3], out _, out _, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done;

    private static bool IsLoopback(Uri uri)
        => uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static void ValidateEndpoint(Uri value, string what, bool allowHttpOnLoopback)
    {
        if (value.OriginalString.Length > MaxUriLength)
        {
            throw new ArgumentException($"{what} must be an absolute URI of at most {MaxUriLength} characters.", Parameter);
        }

        if (!string.IsNullOrEmpty(value.UserInfo) || !string.IsNullOrEmpty(value.Fragment))
        {
            throw new ArgumentException($"{what} may not contain user information or a fragment.", Parameter);
        }

        if (!IsHttpAllowed(value, allowHttpOnLoopback))
        {
            throw new ArgumentException(
                $"{what} must use https. Plain http is accepted only for a loopback address, and only when " +
                $"EInvoiceTransmission:Credentials:{nameof(CredentialStoreOptions.AllowHttpOnLoopback)} is true.", Parameter);
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
