using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Writes a <see cref="TransmissionEnvironment"/> as its name and reads it back, refusing invalid names.</summary>
internal sealed class TransmissionEnvironmentJsonConverter : JsonConverter<TransmissionEnvironment>
{
    public override TransmissionEnvironment Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType == JsonTokenType.String && TransmissionEnvironment.TryParse(reader.GetString(), out var environment)
            ? environment
            : throw new JsonException("An environment is a string of 1 to 32 characters of A-Z, a-z, 0-9, '_' or '-'.");

    public override void Write(Utf8JsonWriter writer, TransmissionEnvironment value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.Name);
}
