using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Everything of a credential row that decides where and how its secrets are sent — the kind, the environment, every
/// setting, and which secret envelopes go with them — in the canonical form sealed with the row
/// (<see cref="StoredCredential.DestinationSeal"/>): someone who could change them unseen, with write access to the
/// database and nothing else, could have the library hand a client secret, API key or token to their server.
/// </summary>
/// <remarks>
/// Version 3 (docs/envelope-format.md, "The destination seal"): the ASCII line <c>EITS-DESTINATION-3</c> and a line
/// feed, then one record per line in ascending ordinal order of the record names — <c>environment</c>, <c>kind</c>,
/// <c>setting.NAME</c> for each setting and <c>secret.NAME</c> (the lowercase hexadecimal SHA-256 of the envelope) for
/// each secret and <c>expires.NAME</c> (Unix milliseconds, decimal) for each secret that has an expiry — written <c>name ':' length ':' value LF</c>, where length is the decimal number of UTF-8 bytes of the
/// value. Unset fields have no record, so a field added to a kind later does not change the seal of a row that does not
/// use it. Version 1 (System.Text.Json, written by 0.1) and the fixed-field version 2 are still read, through
/// <see cref="LegacyCredentialShape"/>, and replaced by version 3 at the row's next change.
/// </remarks>
internal static class CredentialDestination
{
    private const string KindRecord = "kind";
    private const string EnvironmentRecord = "environment";
    private const string SettingPrefix = "setting.";
    private const string SecretPrefix = "secret.";

    /// <summary>The record of a secret's expiry: <c>expires.NAME</c>, the instant in Unix milliseconds (decimal).</summary>
    private const string ExpiryPrefix = "expires.";

    private static ReadOnlySpan<byte> HeaderV3 => "EITS-DESTINATION-3\n"u8;

    private static ReadOnlySpan<byte> HeaderV2 => "EITS-DESTINATION-2\n"u8;

    /// <summary>The destination of <paramref name="row"/>, canonical version 3; equal destinations give equal bytes.</summary>
    public static byte[] Encode(StoredCredential row)
    {
        var records = Records(row);
        var text = new StringBuilder("EITS-DESTINATION-3\n", 256);
        foreach (var name in records.Keys.Order(StringComparer.Ordinal))
        {
            var value = records[name];
            text.Append(name).Append(':')
                .Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(value).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// The names of the fields of <paramref name="row"/> (<c>kind</c>, <c>environment</c>, setting and secret names)
    /// that differ from <paramref name="sealedDestination"/> (the opened seal); every field when the seal cannot be read.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(ReadOnlySpan<byte> sealedDestination, StoredCredential row)
    {
        var current = Records(row);
        if (Decode(sealedDestination, row) is not { } sealedRecords)
        {
            return AllFields(row);
        }

        // A version 1 seal has no digests of the secret envelopes: only the plain fields are compared.
        var compareSecrets = sealedDestination.StartsWith(HeaderV3) || sealedDestination.StartsWith(HeaderV2);
        var mismatches = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in current.Keys.Union(sealedRecords.Keys))
        {
            if (!compareSecrets && name.StartsWith(SecretPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!(current.TryGetValue(name, out var stored) && sealedRecords.TryGetValue(name, out var expected) && string.Equals(stored, expected, StringComparison.Ordinal)))
            {
                mismatches.Add(FieldName(name));
            }
        }

        return [.. mismatches];
    }

    /// <summary>
    /// <paramref name="row"/> with its kind, environment and settings as they were sealed: what an administrator last
    /// confirmed, not what was written into the columns since. Without a readable seal, the settings are left empty, so
    /// that nothing planted in storage is shown as if it could be trusted.
    /// </summary>
    public static StoredCredential AsSealed(StoredCredential row, ReadOnlySpan<byte> sealedDestination)
    {
        var records = sealedDestination.IsEmpty ? null : Decode(sealedDestination, row);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in records ?? [])
        {
            if (name.StartsWith(SettingPrefix, StringComparison.Ordinal))
            {
                settings[name[SettingPrefix.Length..]] = value;
            }
        }

        var expiries = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (name, value) in records ?? [])
        {
            if (name.StartsWith(ExpiryPrefix, StringComparison.Ordinal) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
                && milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                expiries[name[ExpiryPrefix.Length..]] = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            }
        }

        return row with
        {
            SecretExpiries = expiries,
            Kind = records?.GetValueOrDefault(KindRecord) ?? row.Kind,
            Environment = records?.GetValueOrDefault(EnvironmentRecord) ?? row.Environment,
            Settings = settings,
        };
    }

    /// <summary>Whether an opened seal is of the current version (3), which binds every setting and every secret.</summary>
    public static bool IsCurrentVersion(ReadOnlySpan<byte> sealedDestination) => sealedDestination.StartsWith(HeaderV3);

    /// <summary>Every field of the row, by the names audit entries and <see cref="CredentialStatus.TamperedFields"/> use.</summary>
    public static IReadOnlyList<string> AllFields(StoredCredential row)
        => [.. Records(row).Keys.Select(FieldName).Order(StringComparer.Ordinal)];

    private static string FieldName(string record)
        => record.StartsWith(SettingPrefix, StringComparison.Ordinal) ? record[SettingPrefix.Length..]
            : record.StartsWith(SecretPrefix, StringComparison.Ordinal) ? record[SecretPrefix.Length..]
            : record;

    private static Dictionary<string, string> Records(StoredCredential row)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KindRecord] = LegacyCredentialShape.Canonical(row.Kind),
            [EnvironmentRecord] = row.Environment,
        };

        foreach (var (name, value) in row.Settings)
        {
            records[SettingPrefix + name] = value;
        }

        foreach (var (name, envelope) in row.Secrets)
        {
            records[SecretPrefix + name] = Convert.ToHexStringLower(SHA256.HashData(envelope));
        }

        // The expiries are sealed too: someone with write access to storage who could move one unseen could silence the
        // reminders until the day the secret stops working.
        foreach (var (name, expiresAt) in row.SecretExpiries)
        {
            records[ExpiryPrefix + name] = expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        return records;
    }

    private static Dictionary<string, string>? Decode(ReadOnlySpan<byte> bytes, StoredCredential row)
    {
        if (bytes.StartsWith(HeaderV3))
        {
            // A seal without its kind and environment says nothing that can be trusted about either.
            var records = DecodeRecords(bytes[HeaderV3.Length..]);
            return records is not null && records.ContainsKey(KindRecord) && records.ContainsKey(EnvironmentRecord) ? records : null;
        }

        var legacy = bytes.StartsWith(HeaderV2) ? DecodeRecords(bytes[HeaderV2.Length..]) : DecodeV1(bytes);
        return legacy is not null && legacy.TryGetValue(KindRecord, out var kind) && legacy.TryGetValue(EnvironmentRecord, out var environment)
            ? LegacyCredentialShape.ToRecords(kind, environment, legacy)
            : null;
    }

    private static Dictionary<string, string>? DecodeRecords(ReadOnlySpan<byte> span)
    {
        var bytes = span.ToArray();
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while (position < bytes.Length)
        {
            var nameEnd = Array.IndexOf(bytes, (byte)':', position);
            var lengthEnd = nameEnd < 0 ? -1 : Array.IndexOf(bytes, (byte)':', nameEnd + 1);
            if (lengthEnd < 0
                || !int.TryParse(bytes.AsSpan(nameEnd + 1, lengthEnd - nameEnd - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || (long)lengthEnd + 1 + length >= bytes.Length || bytes[lengthEnd + 1 + length] != (byte)'\n')
            {
                return null;
            }

            var name = Encoding.UTF8.GetString(bytes, position, nameEnd - position);
            if (!records.TryAdd(name, Encoding.UTF8.GetString(bytes, lengthEnd + 1, length)))
            {
                return null;
            }

            position = lengthEnd + 1 + length + 1;
        }

        return records;
    }

    /// <summary>Version 1, written by 0.1: System.Text.Json of <see cref="V1"/>, null fields included, the mode as its enum name or number.</summary>
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

        var mode = v1?.Mode.ValueKind switch
        {
            JsonValueKind.String => v1.Mode.GetString(),
            JsonValueKind.Number => v1.Mode.GetInt32() switch { 1 => "DirectDctce", 2 => "AspProvider", 3 => "Sandbox", _ => null },
            _ => null,
        };
        if (v1 is null || mode is null || LegacyCredentialShape.KindOfMode(mode) is not { } kind || v1.Environment is null)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { [KindRecord] = kind, [EnvironmentRecord] = v1.Environment };
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
        JsonElement Mode,
        string? Environment,
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
