using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>Writes a command's result as one JSON document (camelCase, enums as strings).</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void Write<T>(TextWriter writer, T value) => writer.WriteLine(JsonSerializer.Serialize(value, Options));
}
