namespace EInvoice.Transmission.Security;

/// <summary>
/// The fields of one company's credentials as a <see cref="CredentialKind"/> sees them: plain settings, and secrets
/// opened only where the library needs them to authenticate a request.
/// </summary>
/// <remarks>
/// While a kind validates a change (<see cref="CredentialKind.Validate"/>), secrets are not opened:
/// <see cref="HasSecret"/> answers, <see cref="GetSecret"/> throws. Secrets are <see cref="SecretValue"/>s, so printing
/// this object or its secrets shows no value.
/// </remarks>
public sealed class CredentialValues
{
    private static readonly IReadOnlyDictionary<string, SecretValue> NoSecrets = new Dictionary<string, SecretValue>();
    private readonly IReadOnlyDictionary<string, SecretValue> _secrets;
    private readonly IReadOnlyCollection<string> _secretNames;
    private readonly bool _secretsOpened;

    internal CredentialValues(string companyId, TransmissionEnvironment environment, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, SecretValue> secrets)
    {
        CompanyId = companyId;
        Environment = environment;
        Settings = settings;
        _secrets = secrets;
        _secretNames = [.. secrets.Keys];
        _secretsOpened = true;
    }

    internal CredentialValues(string companyId, TransmissionEnvironment environment, IReadOnlyDictionary<string, string> settings, IReadOnlyCollection<string> secretNames)
    {
        CompanyId = companyId;
        Environment = environment;
        Settings = settings;
        _secrets = NoSecrets;
        _secretNames = secretNames;
        _secretsOpened = false;
    }

    /// <summary>Gets the company.</summary>
    public string CompanyId { get; }

    /// <summary>Gets the environment the credentials are for.</summary>
    public TransmissionEnvironment Environment { get; }

    /// <summary>Gets the plain settings by field name.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Gets the names of the secrets that are stored.</summary>
    public IReadOnlyCollection<string> SecretNames => _secretNames;

    internal IEnumerable<SecretValue> OpenedSecrets => _secrets.Values;

    internal IReadOnlyDictionary<string, SecretValue> Secrets => _secrets;

    /// <summary>Returns a plain setting, or <see langword="null"/> when it is not set.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The value, or <see langword="null"/>.</returns>
    public string? GetSetting(string name) => Settings.GetValueOrDefault(name);

    /// <summary>Returns a setting that holds an absolute URI (an endpoint), or <see langword="null"/> when it is not set.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The URI, or <see langword="null"/>.</returns>
    public Uri? GetUri(string name) => Uri.TryCreate(GetSetting(name), UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>Returns whether a secret is stored.</summary>
    /// <param name="name">The field name.</param>
    /// <returns><see langword="true"/> when it is stored.</returns>
    public bool HasSecret(string name) => _secretNames.Contains(name);

    /// <summary>Returns an opened secret, or <see langword="null"/> when it is not stored.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The secret, or <see langword="null"/>.</returns>
    /// <exception cref="InvalidOperationException">Secrets are not opened here: the kind is validating a change.</exception>
    public SecretValue? GetSecret(string name)
        => _secretsOpened
            ? _secrets.GetValueOrDefault(name)
            : throw new InvalidOperationException("Secrets are not opened while a change is validated; use HasSecret.");

    /// <summary>Returns the members of a family (<see cref="CredentialField.IsFamily"/>) among the settings, without the prefix.</summary>
    /// <param name="prefix">The family's prefix, such as <c>header.</c>.</param>
    /// <returns>The name after the prefix and the value of each member.</returns>
    public IEnumerable<KeyValuePair<string, string>> GetSettingFamily(string prefix)
    {
        foreach (var (name, value) in Settings)
        {
            if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new(name[prefix.Length..], value);
            }
        }
    }

    /// <summary>Returns the members of a secret family among the opened secrets, without the prefix.</summary>
    /// <param name="prefix">The family's prefix, such as <c>header.</c>.</param>
    /// <returns>The name after the prefix and the secret of each member.</returns>
    /// <exception cref="InvalidOperationException">Secrets are not opened here: the kind is validating a change.</exception>
    public IEnumerable<KeyValuePair<string, SecretValue>> GetSecretFamily(string prefix)
    {
        if (!_secretsOpened)
        {
            throw new InvalidOperationException("Secrets are not opened while a change is validated; use SecretNames.");
        }

        foreach (var (name, value) in _secrets)
        {
            if (name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new(name[prefix.Length..], value);
            }
        }
    }

    /// <summary>Returns a description without any value: the company, environment and field names.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"CredentialValues {{ CompanyId = {CompanyId}, Environment = {Environment}, Settings = [{string.Join(", ", Settings.Keys)}], Secrets = [{string.Join(", ", _secretNames)}] }}";
}
