using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// OAuth 2.0 client credentials (RFC 6749 section 4.4): a token from the company's token endpoint, sent as
/// <c>Authorization: Bearer</c> to its API endpoint, refreshed before it expires (with the refresh token grant when the
/// identity provider issues refresh tokens). Malaysia MyInvois, Egypt ETA, France's PISTE, most ASPs.
/// </summary>
/// <remarks>
/// Per company: <see cref="ClientAuthentication"/> (<c>client_secret_post</c> or <c>client_secret_basic</c>; when unset,
/// <see cref="OAuthOptions.ClientAuthentication"/>), <see cref="Scope"/> (when unset, <see cref="OAuthOptions.DefaultScope"/>),
/// extra token-request form parameters (<c>token_param.NAME</c>) and headers (<c>token_header.NAME</c>, such as
/// MyInvois' <c>token_header.onbehalfof</c>), and extra API headers, plain (<c>header.NAME</c>) or secret (France Chorus
/// Pro's <c>header.cpro-account</c>).
/// </remarks>
public sealed class OAuthClientCredentialsKind : CredentialKind
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "oauth_client_credentials";

    /// <summary>The OAuth client id (required).</summary>
    public const string ClientId = "client_id";

    /// <summary>The OAuth client secret (secret; required).</summary>
    public const string ClientSecret = "client_secret";

    /// <summary>The token endpoint (required).</summary>
    public const string TokenEndpoint = "token_endpoint";

    /// <summary>The API base address the token is sent to (required).</summary>
    public const string ApiEndpoint = CredentialField.ApiEndpointName;

    /// <summary>The scope to request.</summary>
    public const string Scope = "scope";

    /// <summary>How the client authenticates to the token endpoint: <see cref="ClientSecretPost"/> or <see cref="ClientSecretBasic"/>.</summary>
    public const string ClientAuthentication = "client_authentication";

    /// <summary>The family of extra token-request form parameters, such as <c>token_param.audience</c>.</summary>
    public const string TokenParameterPrefix = "token_param.";

    /// <summary>The family of extra token-request headers, such as <c>token_header.onbehalfof</c>.</summary>
    public const string TokenHeaderPrefix = "token_header.";

    /// <summary>
    /// The optional second client secret, for platforms that issue two so that one can be replaced while the other works
    /// (MyInvois, Egypt ETA): <c>client_secret_secondary</c>. When the token endpoint refuses the primary with
    /// <c>invalid_client</c>, the secondary is tried once; <see cref="CredentialStatus.ServingSecretName"/> says which serves.
    /// </summary>
    public const string SecondaryClientSecret = "client_secret_secondary";

    /// <summary>The family of extra API headers, plain or secret, such as <c>header.cpro-account</c>.</summary>
    public const string HeaderPrefix = FieldNameRules.HeaderPrefix;

    /// <summary><c>client_secret_post</c>: client id and secret in the form body.</summary>
    public const string ClientSecretPost = "client_secret_post";

    /// <summary><c>client_secret_basic</c>: HTTP Basic with the form-urlencoded client id and secret.</summary>
    public const string ClientSecretBasic = "client_secret_basic";

    private static readonly string[] ReservedParameters =
        ["grant_type", "scope", "client_id", "client_secret", "refresh_token", "client_assertion", "client_assertion_type"];

    private static readonly string[] ReservedTokenHeaders = ["authorization", "content-type", "content-length", "host", "accept"];

    /// <summary>Creates the kind; <c>AddEInvoiceTransmission()</c> registers it.</summary>
    public OAuthClientCredentialsKind()
        : base(
            KindName,
            [
                CredentialField.Text(ClientId, isRequired: true),
                CredentialField.Secret(ClientSecret, isRequired: true),
                CredentialField.Secret(SecondaryClientSecret),
                CredentialField.Endpoint(TokenEndpoint, isRequired: true),
                CredentialField.Endpoint(ApiEndpoint, isRequired: true),
                CredentialField.Scope(Scope),
                CredentialField.Choice(ClientAuthentication, ClientSecretPost, ClientSecretBasic),
                CredentialField.Family(TokenParameterPrefix, isHeaders: false),
                CredentialField.Family(TokenHeaderPrefix, isHeaders: true),
                CredentialField.ExtraHeaders(),
                CredentialField.ExtraSecretHeaders(),
            ])
    {
    }

    /// <inheritdoc/>
    public override bool UsesAccessToken => true;

    /// <inheritdoc/>
    protected internal override void Validate(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (name, _) in values.GetSettingFamily(TokenParameterPrefix))
        {
            if (ReservedParameters.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Settings[\"{TokenParameterPrefix}{name}\"]: the token request sets '{name}' itself.");
            }
        }

        var tokenHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, _) in values.GetSettingFamily(TokenHeaderPrefix))
        {
            if (ReservedTokenHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Settings[\"{TokenHeaderPrefix}{name}\"]: the token request sets the header '{name}' itself.");
            }

            if (!tokenHeaders.Add(name))
            {
                throw new ArgumentException($"Settings[\"{TokenHeaderPrefix}{name}\"]: the header '{name}' is set twice (header names ignore case).");
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// When the platform refuses the client secret with <c>invalid_client</c> and the credentials hold a
    /// <see cref="SecondaryClientSecret"/>, the request is made once more with it; the token then says so
    /// (<see cref="IssuedToken.ServingSecretName"/>). Any other failure, or a refusal of the secondary too, is thrown.
    /// </remarks>
    protected internal override async Task<IssuedToken> RequestTokenAsync(TokenRequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            return await context.TokenClient.RequestAsync(context.Values, refreshToken: null, cancellationToken).ConfigureAwait(false);
        }
        catch (OAuthTokenException ex) when (ex.Error == "invalid_client" && context.Values.GetSecret(SecondaryClientSecret) is { } secondary)
        {
            // The two swap places, so that both stay among the values every error text is scrubbed of.
            var secrets = context.Values.SecretNames.ToDictionary(static n => n, n => context.Values.GetSecret(n)!, StringComparer.Ordinal);
            secrets[SecondaryClientSecret] = secrets[ClientSecret];
            secrets[ClientSecret] = secondary;
            var swapped = new CredentialValues(context.Values.CompanyId, context.Values.Environment, context.Values.Settings, secrets);
            var token = await context.TokenClient.RequestAsync(swapped, refreshToken: null, cancellationToken).ConfigureAwait(false);
            return token with { ServingSecretName = SecondaryClientSecret };
        }
    }

    /// <inheritdoc/>
    protected internal override Task<IssuedToken> RefreshTokenAsync(TokenRequestContext context, SecretValue refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.TokenClient.RequestAsync(context.Values, refreshToken, cancellationToken);
    }
}
