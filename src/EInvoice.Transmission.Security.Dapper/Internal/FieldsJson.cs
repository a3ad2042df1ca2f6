using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>
/// The <c>settings</c> and <c>secrets</c> columns: a JSON object of strings, keys in ordinal order (secrets as the
/// lowercase hexadecimal of their envelopes). JSON nulls, as the 0004 migration may leave on SQLite, read as absent.
/// </summary>
/// <remarks>
/// A column that is not such an object (someone wrote into storage) reads as empty, and a secret that is not
/// hexadecimal as absent: the row then fails its destination check, which binds every setting and secret, and is
/// reported as tampered, company by company — instead of an exception that would stop a key rotation or a listing of
/// every other company.
/// </remarks>
internal static class FieldsJson
{
    public static string Write(IReadOnlyDictionary<string, string> fields)
        => JsonSerializer.Serialize(new SortedDictionary<string, string>(fields.ToDictionary(), StringComparer.Ordinal), FieldsJsonContext.Default.SortedDictionaryStringString);

    public static Dictionary<string, string> Read(string? json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return fields;
        }

        Dictionary<string, string?>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(json, FieldsJsonContext.Default.DictionaryStringString);
        }
        catch (JsonException)
        {
            return fields;
        }

        foreach (var (name, value) in parsed ?? [])
        {
            if (value is not null)
            {
                fields[name] = value;
            }
        }

        return fields;
    }

    /// <summary>The <c>secrets</c> column: envelopes by field name; a value that is not hexadecimal is left out.</summary>
    /// <summary>Instants stored as Unix milliseconds; a value that is not one reads as absent (and fails the destination check).</summary>
    public static Dictionary<string, DateTimeOffset> ReadInstants(string? json)
    {
        var instants = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (name, text) in Read(json))
        {
            if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
                && milliseconds >= DateTimeOffset.MinValue.ToUnixTimeMilliseconds() && milliseconds <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                instants[name] = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            }
        }

        return instants;
    }

    public static Dictionary<string, byte[]> ReadEnvelopes(string? json)
    {
        var envelopes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, hex) in Read(json))
        {
            try
            {
                envelopes[name] = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                // Not an envelope: absent, so the destination check names the row tampered.
            }
        }

        return envelopes;
    }
}

[JsonSerializable(typeof(Dictionary<string, string?>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class FieldsJsonContext : JsonSerializerContext;
