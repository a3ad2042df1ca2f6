using EInvoice.Transmission.Security.Internal;

// Extension blocks share the class's name in the analyzer's view.
#pragma warning disable CA1708

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Reads the built-in kinds' fields by name in tests: <c>row.ClientSecret</c> instead of
/// <c>row!.Secrets["client_secret"]</c>. Test vocabulary only; the library has no such properties.
/// </summary>
public static class CredentialShapeExtensions
{
    extension(StoredCredential? row)
    {
        public byte[]? ClientSecret => row!.Secrets.GetValueOrDefault(OAuthClientCredentialsKind.ClientSecret);

        public byte[]? ApiKey => row!.Secrets.GetValueOrDefault(ApiKeyKind.ApiKey);

        public string? ClientId => row!.Settings.GetValueOrDefault(OAuthClientCredentialsKind.ClientId);

        public string? TokenEndpoint => row!.Settings.GetValueOrDefault(OAuthClientCredentialsKind.TokenEndpoint);

        public string? ApiEndpoint => row!.Settings.GetValueOrDefault(OAuthClientCredentialsKind.ApiEndpoint);

        public string? Scope => row!.Settings.GetValueOrDefault(OAuthClientCredentialsKind.Scope);

        public string? AspEndpoint => row!.Settings.GetValueOrDefault(ApiKeyKind.ApiEndpoint);

        public string? AspIdentifier => row!.Settings.GetValueOrDefault(ApiKeyKind.Identifier);

        public string? AspProviderName => row!.Settings.GetValueOrDefault(ApiKeyKind.ProviderName);

        /// <summary>The row with a setting changed as someone with write access to storage would change it.</summary>
        public StoredCredential WithSetting(string name, string? value)
        {
            var settings = new Dictionary<string, string>(row!.Settings, StringComparer.Ordinal);
            if (value is null)
            {
                settings.Remove(name);
            }
            else
            {
                settings[name] = value;
            }

            return row! with { Settings = settings };
        }

        /// <summary>The row with a secret envelope replaced (or removed) in storage.</summary>
        public StoredCredential WithSecretEnvelope(string name, byte[]? envelope)
        {
            var secrets = new Dictionary<string, byte[]>(row!.Secrets, StringComparer.Ordinal);
            if (envelope is null)
            {
                secrets.Remove(name);
            }
            else
            {
                secrets[name] = envelope;
            }

            return row! with { Secrets = secrets };
        }
    }

    extension(CredentialUpdate update)
    {
        public string? ClientId => update.Settings.GetValueOrDefault(OAuthClientCredentialsKind.ClientId);

        public string? Scope => update.Settings.GetValueOrDefault(OAuthClientCredentialsKind.Scope);

        public string? AspIdentifier => update.Settings.GetValueOrDefault(ApiKeyKind.Identifier);

        public string? AspProviderName => update.Settings.GetValueOrDefault(ApiKeyKind.ProviderName);

        public SecretValue? ClientSecret => update.Secrets.GetValueOrDefault(OAuthClientCredentialsKind.ClientSecret);

        public SecretValue? ApiKey => update.Secrets.GetValueOrDefault(ApiKeyKind.ApiKey);
    }

    extension(CredentialStatus? status)
    {
        public string? ClientId => status!.GetSetting(OAuthClientCredentialsKind.ClientId);

        public bool HasClientSecret => status!.HasSecret(OAuthClientCredentialsKind.ClientSecret);

        public bool HasApiKey => status!.HasSecret(ApiKeyKind.ApiKey);

        public Uri? TokenEndpoint => ToUri(status!.GetSetting(OAuthClientCredentialsKind.TokenEndpoint));

        public Uri? ApiEndpoint => ToUri(status!.GetSetting(OAuthClientCredentialsKind.ApiEndpoint));

        public string? Scope => status!.GetSetting(OAuthClientCredentialsKind.Scope);

        public Uri? AspEndpoint => ToUri(status!.GetSetting(ApiKeyKind.ApiEndpoint));

        public string? AspIdentifier => status!.GetSetting(ApiKeyKind.Identifier);

        public string? AspProviderName => status!.GetSetting(ApiKeyKind.ProviderName);
    }

    extension(TransmissionCredentials? credentials)
    {
        internal SecretValue? ClientSecret => credentials!.Values.GetSecret(OAuthClientCredentialsKind.ClientSecret);

        internal SecretValue? ApiKey => credentials!.Values.GetSecret(ApiKeyKind.ApiKey);

        internal string? ClientId => credentials!.Values.GetSetting(OAuthClientCredentialsKind.ClientId);

        internal Uri? TokenEndpoint => credentials!.Values.GetUri(OAuthClientCredentialsKind.TokenEndpoint);

        internal Uri? AspEndpoint => credentials!.Values.GetUri(ApiKeyKind.ApiEndpoint);

        internal string? Scope => credentials!.Values.GetSetting(OAuthClientCredentialsKind.Scope);
    }

    private static Uri? ToUri(string? value) => value is null ? null : new Uri(value);
}
