using System.Text.Json;
using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Writes <see cref="SecretValue"/> as <c>"[redacted]"</c>; reads it from a JSON string.</summary>
internal sealed class SecretValueJsonConverter : JsonConverter<SecretValue>
{
    public override SecretValue? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A secret must be a JSON string.");
        }

        var value = reader.GetString();
        if (string.IsNullOrEmpty(value))
        {
            throw new JsonException("A secret may not be empty.");
        }

        // A redacted placeholder read back must never become a stored secret.
        if (value == SecretValue.RedactedText)
        {
            throw new JsonException("The redacted placeholder cannot be read back as a secret; send the secret itself or leave the property out.");
        }

        return new SecretValue(value);
    }

    public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options)
        => writer.WriteStringValue(SecretValue.RedactedText);
}
