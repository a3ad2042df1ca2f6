using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// A way a platform authenticates API requests, and the fields a company's credentials of that kind hold. The only
/// place that knows them: validation, sealing, key rotation, the status and the audit follow from <see cref="Fields"/>.
/// </summary>
/// <remarks>
/// <para>
/// The library ships <see cref="OAuthClientCredentialsKind"/>, <see cref="ApiKeyKind"/>, <see cref="HttpBasicKind"/>
/// and <see cref="NoCredentialsKind"/>. A host adds its own with <c>AddCredentialKind&lt;TKind&gt;()</c> on the builder
/// of <c>AddEInvoiceTransmission()</c>; its credentials are then stored, sealed, rotated, audited and attached by the
/// same store and handler as the built-in kinds.
/// </para>
/// <para>
/// Credentials are sent only to the origin of <see cref="GetApiEndpoint"/>; a kind without one attaches nothing. A
/// kind that <see cref="UsesAccessToken"/> obtains tokens with <see cref="RequestTokenAsync"/> and
/// <see cref="RefreshTokenAsync"/>; the library caches them, refreshes them before they expire, shares them between
/// hosts and sends them as <c>Authorization: Bearer</c>. Kinds are singletons and must be thread-safe.
/// </para>
/// </remarks>
public abstract class CredentialKind
{
    /// <summary>Creates a kind.</summary>
    /// <param name="name">The kind's name, stored with every credential of the kind: lowercase letters, digits and <c>_</c>. Never change it once credentials use it.</param>
    /// <param name="fields">The fields the kind's credentials hold; names are unique among plain fields and among secret fields.</param>
    /// <exception cref="ArgumentException">The name is not valid, or a field is declared twice.</exception>
    protected CredentialKind(string name, IEnumerable<CredentialField> fields)
    {
        FieldNameRules.ValidateKindName(name);
        ArgumentNullException.ThrowIfNull(fields);
        Name = name;
        Fields = [.. fields];
        foreach (var field in Fields)
        {
            ArgumentNullException.ThrowIfNull(field, nameof(fields));

            // A name is one field: plain or secret, never both (the header family excepted, whose members are checked
            // against each other when credentials are saved); kind and environment name the credential itself.
            if (Fields.Count(f => (f.IsSecret == field.IsSecret || !field.IsFamily) && (f.Matches(field.Name) || field.Matches(f.Name) || f.Name == field.Name)) > 1
                || field.Name is "kind" or "environment")
            {
                throw new ArgumentException($"Kind '{name}' declares the field '{field.Name}' more than once, as plain and secret, inside a family, or with a reserved name (kind, environment).", nameof(fields));
            }
        }
    }

    /// <summary>Gets the kind's name, as stored with its credentials.</summary>
    public string Name { get; }

    /// <summary>Gets the fields the kind's credentials hold.</summary>
    public IReadOnlyList<CredentialField> Fields { get; }

    /// <summary>Gets a value indicating whether the kind authenticates with an access token it obtains (and the library caches and refreshes).</summary>
    public virtual bool UsesAccessToken => false;

    /// <summary>Returns the kind's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>Returns the field a plain or secret field name belongs to, or <see langword="null"/> when the kind has none.</summary>
    /// <param name="fieldName">The field name.</param>
    /// <param name="isSecret">Whether the name is that of a secret.</param>
    /// <returns>The declaration, or <see langword="null"/>.</returns>
    public CredentialField? FindField(string fieldName, bool isSecret)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        foreach (var field in Fields)
        {
            if (field.IsSecret == isSecret && field.Matches(fieldName))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>
    /// Checks what the declarations cannot: rules between fields. Called with the whole credential a change would store,
    /// after every field passed its own rules and every required field is present. Secrets are not opened.
    /// </summary>
    /// <param name="values">The settings and the names of the stored secrets.</param>
    /// <exception cref="ArgumentException">The credential is not valid; the message names the field.</exception>
    protected internal virtual void Validate(CredentialValues values)
    {
    }

    /// <summary>
    /// Returns the endpoint whose origin (scheme, host, port) the credentials may be sent to; by default the setting
    /// <c>api_endpoint</c>. A request to another origin is refused before anything is attached.
    /// </summary>
    /// <param name="values">The credentials.</param>
    /// <returns>The endpoint, or <see langword="null"/> when the credentials go nowhere (nothing is attached).</returns>
    protected internal virtual Uri? GetApiEndpoint(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.GetUri(CredentialField.ApiEndpointName);
    }

    /// <summary>
    /// Adds the kind's own headers for every API request. The members of the <c>header.</c> families
    /// (<see cref="CredentialField.ExtraHeaders"/>, <see cref="CredentialField.ExtraSecretHeaders"/>) are added by the
    /// library afterwards, and a kind that <see cref="UsesAccessToken"/> gets its <c>Authorization</c> from the library.
    /// </summary>
    /// <param name="values">The credentials, secrets opened.</param>
    /// <param name="headers">Where to add the headers.</param>
    protected internal virtual void AddHeaders(CredentialValues values, CredentialHeaders headers)
    {
    }

    /// <summary>Obtains an access token with the company's credentials (a login). Only called when <see cref="UsesAccessToken"/>.</summary>
    /// <param name="context">The credentials, the token client and the clock.</param>
    /// <param name="cancellationToken">Cancels the request; carries the library's timeout.</param>
    /// <returns>The token.</returns>
    /// <exception cref="OAuthTokenException">The platform refused or failed.</exception>
    protected internal virtual Task<IssuedToken> RequestTokenAsync(TokenRequestContext context, CancellationToken cancellationToken)
        => throw new NotSupportedException($"Credential kind '{Name}' does not use access tokens.");

    /// <summary>
    /// Obtains a new access token with a refresh token. When it throws, the library logs in again with
    /// <see cref="RequestTokenAsync"/>. By default it logs in again at once.
    /// </summary>
    /// <param name="context">The credentials, the token client and the clock.</param>
    /// <param name="refreshToken">The refresh token issued with the current access token.</param>
    /// <param name="cancellationToken">Cancels the request; carries the library's timeout.</param>
    /// <returns>The token.</returns>
    /// <exception cref="OAuthTokenException">The platform refused or failed.</exception>
    protected internal virtual Task<IssuedToken> RefreshTokenAsync(TokenRequestContext context, SecretValue refreshToken, CancellationToken cancellationToken)
        => RequestTokenAsync(context, cancellationToken);

    /// <summary>The kind's headers followed by the <c>header.</c> families, plain then secret.</summary>
    internal CredentialHeaders CollectHeaders(CredentialValues values)
    {
        var headers = new CredentialHeaders();
        AddHeaders(values, headers);
        if (FindField(FieldNameRules.HeaderPrefix + "x", isSecret: false) is not null)
        {
            foreach (var (name, value) in values.GetSettingFamily(FieldNameRules.HeaderPrefix))
            {
                headers.Add(name, value);
            }
        }

        if (FindField(FieldNameRules.HeaderPrefix + "x", isSecret: true) is not null)
        {
            foreach (var (name, value) in values.GetSecretFamily(FieldNameRules.HeaderPrefix))
            {
                headers.Add(name, value.Reveal());
            }
        }

        return headers;
    }
}
