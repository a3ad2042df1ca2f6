using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>
/// The <c>settings</c> and <c>secrets</c> columns: a JSON object of strings, keys in ordinal order (secrets as the
/// lowercase hexadecimal of their envelopes). JSON nulls, as the 0004 migration may leave on SQLite, read as absent.
/// </summary>
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

        foreach (var (name, value) in JsonSerializer.Deserialize(json, FieldsJsonContext.Default.DictionaryStringString) ?? [])
        {
            if (value is not null)
            {
                fields[name] = value;
            }
        }

        return fields;
    }
}

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class FieldsJsonContext : JsonSerializerContext;
