using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// A static API key on every request, in the header and scheme the company's platform or ASP expects:
/// <c>X-API-Key: k</c>, <c>Authorization: Bearer k</c>, <c>Authorization: ApiKey k</c>, <c>Ocp-Apim-Subscription-Key: k</c>.
/// </summary>
/// <remarks>
/// Per company: <see cref="HeaderName"/> (when unset, <see cref="OAuthOptions.ApiKeyHeaderName"/>), <see cref="Scheme"/>
/// (required when the header is <c>Authorization</c>), the company's identifier at the provider and the header that
/// carries it (<see cref="IdentifierHeader"/>; when unset, <see cref="OAuthOptions.AspIdentifierHeaderName"/>), and
/// extra headers, plain (<c>header.aade-user-id</c>) or secret.
/// </remarks>
public sealed class ApiKeyKind : CredentialKind
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "api_key";

    /// <summary>The API key (secret; required).</summary>
    public const string ApiKey = "api_key";

    /// <summary>The API base address the key is sent to (required).</summary>
    public const string ApiEndpoint = CredentialField.ApiEndpointName;

    /// <summary>The header that carries the key.</summary>
    public const string HeaderName = "header_name";

    /// <summary>The scheme written before the key, such as <c>Bearer</c> or <c>ApiKey</c>; none by default.</summary>
    public const string Scheme = "scheme";

    /// <summary>The company's identifier at the provider, such as its participant id.</summary>
    public const string Identifier = "identifier";

    /// <summary>The header that carries <see cref="Identifier"/>.</summary>
    public const string IdentifierHeader = "identifier_header";

    /// <summary>The provider's name, for display.</summary>
    public const string ProviderName = "provider_name";

    /// <summary>The family of extra headers, plain or secret, such as <c>header.aade-user-id</c>.</summary>
    public const string HeaderPrefix = FieldNameRules.HeaderPrefix;

    private readonly string _defaultHeaderName;
    private readonly string? _defaultIdentifierHeader;

    /// <summary>Creates the kind; <c>AddEInvoiceTransmission()</c> registers it with the host's <see cref="OAuthOptions"/>.</summary>
    /// <param name="defaults">The options whose <see cref="OAuthOptions.ApiKeyHeaderName"/> and <see cref="OAuthOptions.AspIdentifierHeaderName"/> apply when a company sets none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="defaults"/> is <see langword="null"/>.</exception>
    public ApiKeyKind(OAuthOptions defaults)
        : base(
            KindName,
            [
                CredentialField.Secret(ApiKey, isRequired: true).WithExpirySource(SecretExpirySource.JwtExpirationClaim),
                CredentialField.Endpoint(ApiEndpoint, isRequired: true),
                CredentialField.HeaderName(HeaderName),
                CredentialField.HeaderName(Scheme),
                CredentialField.Text(Identifier),
                CredentialField.HeaderName(IdentifierHeader),
                CredentialField.Text(ProviderName),
                CredentialField.ExtraHeaders(),
                CredentialField.ExtraSecretHeaders(),
            ])
    {
        ArgumentNullException.ThrowIfNull(defaults);
        _defaultHeaderName = defaults.ApiKeyHeaderName;
        _defaultIdentifierHeader = defaults.AspIdentifierHeaderName;
    }

    /// <inheritdoc/>
    protected internal override void Validate(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (IsAuthorization(values) && values.GetSetting(Scheme) is null)
        {
            throw new ArgumentException($"Settings[\"{Scheme}\"] is required when the key goes in the Authorization header (such as Bearer or ApiKey).");
        }
    }

    /// <inheritdoc/>
    protected internal override void AddHeaders(CredentialValues values, CredentialHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(headers);
        var key = values.GetSecret(ApiKey)!.Reveal();
        var scheme = values.GetSetting(Scheme);
        if (IsAuthorization(values))
        {
            headers.SetAuthorization(scheme!, key);
        }
        else
        {
            headers.Add(values.GetSetting(HeaderName) ?? _defaultHeaderName, scheme is null ? key : $"{scheme} {key}");
        }

        if (values.GetSetting(Identifier) is { } identifier && (values.GetSetting(IdentifierHeader) ?? _defaultIdentifierHeader) is { } identifierHeader)
        {
            headers.Add(identifierHeader, identifier);
        }
    }

    private bool IsAuthorization(CredentialValues values)
        => (values.GetSetting(HeaderName) ?? _defaultHeaderName).Equals("Authorization", StringComparison.OrdinalIgnoreCase);
}
