namespace EInvoice.Transmission.Security;

/// <summary>
/// A change to a company's credentials. Only what is set changes: a setting or secret the update does not name keeps
/// its stored value; one it names with <see langword="null"/> is removed.
/// </summary>
/// <remarks>
/// <para>
/// Creating credentials needs <see cref="Kind"/>, <see cref="Environment"/> and every field the kind requires, such as
/// <see cref="OAuthClientCredentialsKind.ClientId"/>, <see cref="OAuthClientCredentialsKind.ClientSecret"/>,
/// <see cref="OAuthClientCredentialsKind.TokenEndpoint"/> and <see cref="OAuthClientCredentialsKind.ApiEndpoint"/>. Field
/// names are those the kind declares (<see cref="CredentialKind.Fields"/>); each kind has them as constants.
/// Endpoints must be absolute <c>https</c> URIs (plain <c>http</c> only to a loopback address, and only when
/// <see cref="CredentialStoreOptions.AllowHttpOnLoopback"/> is set).
/// </para>
/// <para>
/// Changing the kind keeps only the fields the new kind declares; the others are removed (and named in the audit).
/// </para>
/// </remarks>
public sealed record CredentialUpdate
{
    private static readonly IReadOnlyDictionary<string, string?> NoSettings = new Dictionary<string, string?>();
    private static readonly IReadOnlyDictionary<string, SecretValue?> NoSecrets = new Dictionary<string, SecretValue?>();
    private static readonly IReadOnlyDictionary<string, DateTimeOffset?> NoExpiries = new Dictionary<string, DateTimeOffset?>();

    /// <summary>Gets the credential kind's name, such as <see cref="OAuthClientCredentialsKind.KindName"/>.</summary>
    public string? Kind { get; init; }

    /// <summary>Gets the environment the credentials belong to.</summary>
    public TransmissionEnvironment? Environment { get; init; }

    /// <summary>Gets the plain settings to set by field name; a <see langword="null"/> value removes the setting.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = NoSettings;

    /// <summary>Gets the secrets to set by field name; a <see langword="null"/> value removes the secret.</summary>
    public IReadOnlyDictionary<string, SecretValue?> Secrets { get; init; } = NoSecrets;

    /// <summary>
    /// Gets the expiries to set by secret field name; a <see langword="null"/> value removes the secret's expiry. A secret
    /// the update sets gets the expiry given here, or else the one its material states
    /// (<see cref="CredentialField.ExpirySource"/>), or else none: a new secret never inherits the old one's expiry. An
    /// expiry may name a stored secret the update does not set (its date is corrected).
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset?> SecretExpiries { get; init; } = NoExpiries;

    /// <summary>
    /// Gets the version the caller last saw (<see cref="CredentialStatus.Version"/>; 0 for "must not exist yet").
    /// When set and the stored version differs, the change is refused with a <see cref="CredentialConcurrencyException"/>,
    /// so two administrators editing at once never overwrite each other silently.
    /// </summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Returns a copy of this update that also sets (or, with <see langword="null"/>, removes) a plain setting.</summary>
    /// <param name="name">The field name, such as <see cref="ApiKeyKind.ApiEndpoint"/>.</param>
    /// <param name="value">The value, or <see langword="null"/> to remove the setting.</param>
    /// <returns>The new update.</returns>
    public CredentialUpdate WithSetting(string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return this with { Settings = new Dictionary<string, string?>(Settings, StringComparer.Ordinal) { [name] = value } };
    }

    /// <summary>Returns a copy of this update that also sets an endpoint setting to the URI's absolute form (or removes it).</summary>
    /// <param name="name">The field name, such as <see cref="OAuthClientCredentialsKind.TokenEndpoint"/>.</param>
    /// <param name="value">The URI, or <see langword="null"/> to remove the setting.</param>
    /// <returns>The new update.</returns>
    public CredentialUpdate WithSetting(string name, Uri? value) => WithSetting(name, value is null ? null : value.IsAbsoluteUri ? value.AbsoluteUri : value.OriginalString);

    /// <summary>Returns a copy of this update that also removes a plain setting.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The new update.</returns>
    public CredentialUpdate WithoutSetting(string name) => WithSetting(name, (string?)null);

    /// <summary>Returns a copy of this update that also sets (or, with <see langword="null"/>, removes) a secret.</summary>
    /// <param name="name">The field name, such as <see cref="ApiKeyKind.ApiKey"/>.</param>
    /// <param name="value">The secret, or <see langword="null"/> to remove it.</param>
    /// <returns>The new update.</returns>
    public CredentialUpdate WithSecret(string name, SecretValue? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        return this with { Secrets = new Dictionary<string, SecretValue?>(Secrets, StringComparer.Ordinal) { [name] = value } };
    }

    /// <summary>Returns a copy of this update that also sets (or, with <see langword="null"/>, removes) the expiry of a secret.</summary>
    /// <param name="name">The secret's field name, such as <see cref="OAuthClientCredentialsKind.ClientSecret"/>.</param>
    /// <param name="expiresAt">When the platform stops accepting the secret, or <see langword="null"/> to remove the expiry.</param>
    /// <returns>The new update.</returns>
    public CredentialUpdate WithSecretExpiry(string name, DateTimeOffset? expiresAt)
    {
        ArgumentNullException.ThrowIfNull(name);
        return this with { SecretExpiries = new Dictionary<string, DateTimeOffset?>(SecretExpiries, StringComparer.Ordinal) { [name] = expiresAt } };
    }

    /// <summary>Returns the kind, environment and the names of the fields the update sets, never a value.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
        => $"CredentialUpdate {{ Kind = {Kind}, Environment = {Environment}, Settings = [{string.Join(", ", Settings.Keys)}], Secrets = [{string.Join(", ", Secrets.Keys)}], SecretExpiries = [{string.Join(", ", SecretExpiries.Keys)}], ExpectedVersion = {ExpectedVersion} }}";
}
