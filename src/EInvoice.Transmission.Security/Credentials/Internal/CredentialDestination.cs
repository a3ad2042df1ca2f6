using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The plain columns of a credential row that decide where its secrets are sent and how, in the canonical form that is
/// sealed with the row (<see cref="StoredCredential.DestinationSeal"/>): someone who could change them unseen — with
/// write access to the database and nothing else — could have the library hand a client secret, API key or token to
/// their server.
/// </summary>
/// <remarks>
/// Version 2 (docs/envelope-format.md, "The destination seal"): the ASCII line <c>EITS-DESTINATION-2</c> and a line
/// feed, then one line per field that has a value (the secret envelopes' SHA-256 included), in ascending ordinal order
/// of the field names:
/// <c>name ':' length ':' value LF</c>, where length is the decimal number of UTF-8 bytes of the value. Unset fields are
/// left out, so a field added later does not change the seal of a row that does not use it. The kind is a fixed name
/// (<c>oauth_client_credentials</c>, <c>api_key</c>, <c>none</c>), independent of .NET enum names. Version 1 seals
/// (System.Text.Json of a record, written by 0.1) are still read, and replaced by version 2 at the row's next change.
/// </remarks>
internal static class CredentialDestination
{
    private const string HeaderV2 = "EITS-DESTINATION-2\n";

    /// <summary>
    /// The fields in encoding order: their name in the seal, their audit name, how to read them from a row, and whether
    /// version 1 seals lacked them. The <c>secret.</c> fields are the SHA-256 of the secret envelopes: they bind the
    /// destination to the secrets sealed with it, so a current secret cannot be spliced next to an older destination
    /// (and its seal) restored from a backup.
    /// </summary>
    private static readonly (string Name, string AuditField, Func<StoredCredential, string?> Read, bool NotInV1)[] Fields =
    [
        ("api_endpoint", SecretFields.ApiEndpoint, static r => r.ApiEndpoint, false),
        ("asp_endpoint", SecretFields.AspEndpoint, static r => r.AspEndpoint, false),
        ("asp_identifier", SecretFields.AspIdentifier, static r => r.AspIdentifier, false),
        ("asp_provider_name", SecretFields.AspProviderName, static r => r.AspProviderName, false),
        ("client_id", SecretFields.ClientId, static r => r.ClientId, false),
        ("environment", SecretFields.Environment, static r => r.Environment, false),
        ("kind", SecretFields.Mode, static r => KindName(r.Mode), false),
        ("scope", SecretFields.Scope, static r => r.Scope, false),
        ("secret.asp.api_key", SecretFields.ApiKey, static r => Digest(r.ApiKey), true),
        ("secret.dctce.client_secret", SecretFields.ClientSecret, static r => Digest(r.ClientSecret), true),
        ("token_endpoint", SecretFields.TokenEndpoint, static r => r.TokenEndpoint, false),
    ];

    /// <summary>The kind names the seal records, independent of .NET enum names.</summary>
    private static readonly (TransmissionMode Mode, string Kind)[] Kinds =
    [
        (TransmissionMode.DirectDctce, "oauth_client_credentials"),
        (TransmissionMode.AspProvider, "api_key"),
        (TransmissionMode.Sandbox, "none"),
    ];

    /// <summary>The audit names of every destination field: what is suspect when the seal is missing or does not open.</summary>
    public static IReadOnlyList<string> AllAuditFields { get; } = Array.ConvertAll(Fields, f => f.AuditField);

    /// <summary>The destination of <paramref name="row"/>, canonical version 2; equal destinations give equal bytes.</summary>
    public static byte[] Encode(StoredCredential row)
    {
        var text = new StringBuilder(HeaderV2, 256);
        foreach (var (name, _, read, _) in Fields)
        {
            if (read(row) is { } value)
            {
                text.Append(name).Append(':')
                    .Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':')
                    .Append(value).Append('\n');
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The audit names of the destination fields of <paramref name="row"/> that differ from <paramref name="sealedDestination"/>
    /// (the opened seal); every field when the seal cannot be read as a destination.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(ReadOnlySpan<byte> sealedDestination, StoredCredential row)
        => Decode(sealedDestination) is { } sealedFields ? Mismatches(sealedFields, row, isV1: !sealedDestination.StartsWith(HeaderV2Bytes)) : AllAuditFields;

    /// <summary>
    /// <paramref name="row"/> with its destination as it was sealed: what an administrator last confirmed, not what
    /// was written into the columns since. Without a readable seal, every destination field but the mode and
    /// environment is left empty, so that nothing planted in storage is shown as if it could be trusted.
    /// </summary>
    public static StoredCredential AsSealed(StoredCredential row, ReadOnlySpan<byte> sealedDestination)
    {
        var sealedFields = sealedDestination.IsEmpty ? null : Decode(sealedDestination);
        string? Field(string name) => sealedFields is not null && sealedFields.TryGetValue(name, out var value) ? value : null;
        return row with
        {
            Mode = ModeOf(Field("kind")) ?? row.Mode,
            Environment = Field("environment") ?? row.Environment,
            ClientId = Field("client_id"),
            TokenEndpoint = Field("token_endpoint"),
            ApiEndpoint = Field("api_endpoint"),
            Scope = Field("scope"),
            AspEndpoint = Field("asp_endpoint"),
            AspIdentifier = Field("asp_identifier"),
            AspProviderName = Field("asp_provider_name"),
        };
    }

    private static List<string> Mismatches(Dictionary<string, string> sealedFields, StoredCredential row, bool isV1)
    {
        var mismatches = new List<string>();
        foreach (var (name, auditField, read, notInV1) in Fields)
        {
            if (isV1 && notInV1)
            {
                continue;
            }

            var stored = read(row);
            if (!(sealedFields.TryGetValue(name, out var expected) ? string.Equals(stored, expected, StringComparison.Ordinal) : stored is null))
            {
                mismatches.Add(auditField);
            }
        }

        return mismatches;
    }

    /// <summary>The fixed kind name of a mode, as the seal records it.</summary>
    public static string? KindName(TransmissionMode mode) => Array.Find(Kinds, k => k.Mode == mode).Kind;

    private static TransmissionMode? ModeOf(string? kind) => Array.Find(Kinds, k => k.Kind == kind) is { Kind: not null } found ? found.Mode : null;

    private static ReadOnlySpan<byte> HeaderV2Bytes => "EITS-DESTINATION-2\n"u8;

    /// <summary>Lowercase hexadecimal SHA-256 of an envelope, or <see langword="null"/> for none.</summary>
    private static string? Digest(byte[]? envelope) => envelope is null ? null : Convert.ToHexStringLower(SHA256.HashData(envelope));

    private static Dictionary<string, string>? Decode(ReadOnlySpan<byte> bytes)
        => bytes.StartsWith(HeaderV2Bytes) ? DecodeV2(bytes.ToArray()) : DecodeV1(bytes);

    private static Dictionary<string, string>? DecodeV2(byte[] bytes)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = HeaderV2.Length;
        while (position < bytes.Length)
        {
            var nameEnd = Array.IndexOf(bytes, (byte)':', position);
            var lengthEnd = nameEnd < 0 ? -1 : Array.IndexOf(bytes, (byte)':', nameEnd + 1);
            if (lengthEnd < 0
                || !int.TryParse(bytes.AsSpan(nameEnd + 1, lengthEnd - nameEnd - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || lengthEnd + 1 + length >= bytes.Length || bytes[lengthEnd + 1 + length] != (byte)'\n')
            {
                return null;
            }

            var name = Encoding.ASCII.GetString(bytes, position, nameEnd - position);
            if (!fields.TryAdd(name, Encoding.UTF8.GetString(bytes, lengthEnd + 1, length)))
            {
                return null;
            }

            position = lengthEnd + 1 + length + 1;
        }

        return fields;
    }

    /// <summary>Version 1, written by 0.1: System.Text.Json of <see cref="V1"/>, null fields included.</summary>
    private static Dictionary<string, string>? DecodeV1(ReadOnlySpan<byte> bytes)
    {
        V1? v1;
        try
        {
            v1 = JsonSerializer.Deserialize(bytes, V1JsonContext.Default.V1);
        }
        catch (JsonException)
        {
            return null;
        }

        if (v1 is null || KindName(v1.Mode) is not { } kind)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["kind"] = kind, ["environment"] = v1.Environment };
        foreach (var (name, value) in (ReadOnlySpan<(string, string?)>)[
            ("client_id", v1.ClientId), ("token_endpoint", v1.TokenEndpoint), ("api_endpoint", v1.ApiEndpoint), ("scope", v1.Scope),
            ("asp_endpoint", v1.AspEndpoint), ("asp_identifier", v1.AspIdentifier), ("asp_provider_name", v1.AspProviderName)])
        {
            if (value is not null)
            {
                fields[name] = value;
            }
        }

        return fields;
    }

    internal sealed record V1(
        TransmissionMode Mode,
        string Environment,
        string? ClientId,
        string? TokenEndpoint,
        string? ApiEndpoint,
        string? Scope,
        string? AspEndpoint,
        string? AspIdentifier,
        string? AspProviderName);
}

[JsonSerializable(typeof(CredentialDestination.V1))]
internal sealed partial class V1JsonContext : JsonSerializerContext;
