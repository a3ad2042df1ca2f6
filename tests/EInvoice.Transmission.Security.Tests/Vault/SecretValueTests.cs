using System.Diagnostics;
using System.Text.Json;

namespace EInvoice.Transmission.Security.Tests.Vault;

public sealed class SecretValueTests
{
    private const string Canary = "canary-client-secret-7c1e";

    private sealed record Holder(string Name, SecretValue Secret);

    [Fact]
    public void ToString_Always_ReturnsRedactedText()
    {
        var secret = new SecretValue(Canary);

        secret.ToString().Should().Be("[redacted]");
    }

    [Fact]
    public void Interpolation_SecretInString_ShowsRedactedText()
    {
        var secret = new SecretValue(Canary);

        var text = $"secret={secret}, padded={secret,20}, formatted={secret:G}";

        text.Should().NotContain(Canary).And.Contain("[redacted]");
        string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", secret).Should().Be("[redacted]");
    }

    [Fact]
    public void Serialize_SecretInAnObject_WritesRedactedText()
    {
        var holder = new Holder("acme", new SecretValue(Canary));

        var json = JsonSerializer.Serialize(holder);

        json.Should().NotContain(Canary).And.Contain("\"[redacted]\"");
    }

    [Fact]
    public void Serialize_RecordToString_DoesNotShowTheValue()
    {
        var holder = new Holder("acme", new SecretValue(Canary));

        holder.ToString().Should().NotContain(Canary);
    }

    [Fact]
    public void Deserialize_JsonString_CreatesSecret()
    {
        var holder = JsonSerializer.Deserialize<Holder>($$"""{"Name":"acme","Secret":"{{Canary}}"}""");

        holder!.Secret.Reveal().Should().Be(Canary);
    }

    [Fact]
    public void Deserialize_RedactedPlaceholder_ThrowsJsonException()
    {
        var json = JsonSerializer.Serialize(new Holder("acme", new SecretValue(Canary)));

        var act = () => JsonSerializer.Deserialize<Holder>(json);

        act.Should().Throw<JsonException>().Which.Message.Should().NotContain(Canary);
    }

    [Theory]
    [InlineData("""{"Name":"acme","Secret":42}""")]
    [InlineData("""{"Name":"acme","Secret":""}""")]
    public void Deserialize_NotANonEmptyString_ThrowsJsonException(string json)
    {
        var act = () => JsonSerializer.Deserialize<Holder>(json);

        act.Should().Throw<JsonException>();
    }

    [Fact]
    public void DebuggerDisplay_Always_IsRedacted()
    {
        var attribute = typeof(SecretValue).GetCustomAttributes(typeof(DebuggerDisplayAttribute), false).Cast<DebuggerDisplayAttribute>().Single();

        attribute.Value.Should().Be("[redacted]");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Constructor_NullOrEmpty_ThrowsArgumentException(string? value)
    {
        var act = () => new SecretValue(value!);

        act.Should().Throw<ArgumentException>().WithParameterName("value");
    }

    [Fact]
    public void Reveal_Always_ReturnsTheValue()
    {
        new SecretValue(Canary).Reveal().Should().Be(Canary);
        new SecretValue(Canary).Length.Should().Be(Canary.Length);
    }
}
