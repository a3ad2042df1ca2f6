namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// How 0.1's closed credential shape (a mode and a fixed column list) maps onto kinds and their fields. The storage
/// migration (0004) moves rows the same way; the destination seals written by 0.1 (version 1) and by the unreleased
/// fixed-field version 2 are read through this table.
/// </summary>
internal static class LegacyCredentialShape
{
    private static readonly (string Mode, string Kind)[] Modes =
    [
        ("DirectDctce", OAuthClientCredentialsKind.KindName),
        ("AspProvider", ApiKeyKind.KindName),
        ("Sandbox", NoCredentialsKind.KindName),
    ];

    /// <summary>The legacy seal's field names, per kind, and the record they became (<c>setting.NAME</c> or <c>secret.NAME</c>).</summary>
    private static readonly (string Kind, string Legacy, string Record)[] Fields =
    [
        (OAuthClientCredentialsKind.KindName, "client_id", "setting." + OAuthClientCredentialsKind.ClientId),
        (OAuthClientCredentialsKind.KindName, "token_endpoint", "setting." + OAuthClientCredentialsKind.TokenEndpoint),
        (OAuthClientCredentialsKind.KindName, "api_endpoint", "setting." + OAuthClientCredentialsKind.ApiEndpoint),
        (OAuthClientCredentialsKind.KindName, "scope", "setting." + OAuthClientCredentialsKind.Scope),
        (ApiKeyKind.KindName, "asp_endpoint", "setting." + ApiKeyKind.ApiEndpoint),
        (ApiKeyKind.KindName, "asp_identifier", "setting." + ApiKeyKind.Identifier),
        (ApiKeyKind.KindName, "asp_provider_name", "setting." + ApiKeyKind.ProviderName),
        (NoCredentialsKind.KindName, "api_endpoint", "setting." + NoCredentialsKind.ApiEndpoint),
    ];

    /// <summary>The envelope field names 0.1 bound into the associated data of the two secrets it had, kept so those envelopes still open.</summary>
    private static readonly (string Secret, string EnvelopeField)[] SecretEnvelopeFields =
    [
        (OAuthClientCredentialsKind.ClientSecret, "dctce.client_secret"),
        (ApiKeyKind.ApiKey, "asp.api_key"),
    ];

    /// <summary>The kind a 0.1 mode name became, or <see langword="null"/>.</summary>
    public static string? KindOfMode(string mode) => Array.Find(Modes, m => m.Mode == mode).Kind;

    /// <summary>The mode name of a kind, as 0.1 stored it, or <see langword="null"/>.</summary>
    public static string? ModeOfKind(string kind) => Array.Find(Modes, m => m.Kind == kind).Mode;

    /// <summary>The kind's name, with a 0.1 mode name read as the kind it became.</summary>
    public static string Canonical(string kind) => KindOfMode(kind) ?? kind;

    /// <summary>
    /// The field name bound into a secret's envelope: 0.1's names for its two secrets (whatever the kind, so a secret
    /// keeps opening when its company changes kind), <c>secret.NAME</c> for every other whose name fits an envelope's
    /// field name (at most 64 characters of <c>a-z 0-9 . _ -</c>), and <c>secret.sha256.</c> with the first 40 hex
    /// digits of the SHA-256 of the UTF-8 name for the rest (header names such as <c>header.Ocp-Apim-Subscription-Key</c>).
    /// </summary>
    public static string EnvelopeField(string secretName)
    {
        foreach (var (secret, field) in SecretEnvelopeFields)
        {
            if (secret == secretName)
            {
                return field;
            }
        }

        return FieldNameRules.FitOrHash("secret." + secretName, "secret.sha256.", secretName);
    }

    /// <summary>
    /// Maps the fields of a legacy seal onto the records of the current one: the kind, the environment, the kind's own
    /// settings, and the secrets' digests (version 2 only). Fields the kind did not use are left out, as the migration
    /// leaves them out of the row.
    /// </summary>
    public static Dictionary<string, string> ToRecords(string kind, string environment, IReadOnlyDictionary<string, string> legacy)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = kind, ["environment"] = environment };
        foreach (var (fieldKind, name, record) in Fields)
        {
            if (fieldKind == kind && legacy.TryGetValue(name, out var value))
            {
                records[record] = value;
            }
        }

        foreach (var (secret, field) in SecretEnvelopeFields)
        {
            if (legacy.TryGetValue("secret." + field, out var digest))
            {
                records["secret." + secret] = digest;
            }
        }

        return records;
    }
}
