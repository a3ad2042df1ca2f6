using System.Text.Json;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Credentials;

public sealed class JsonSerializationTests
{
    [Fact]
    public async Task Serialize_CredentialStatus_WritesNamesAndNoSecret()
    {
        var store = Some.Store(new InMemoryCredentialRepository());
        var status = await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        var json = JsonSerializer.Serialize(status);

        json.Should().Contain("\"Kind\":\"oauth_client_credentials\"").And.Contain("\"SecretNames\":[\"client_secret\"]").And.Contain("\"Environment\":\"Production\"").And.NotContain(The.ClientSecret);
        JsonSerializer.Deserialize<CredentialStatus>(json).Should().BeEquivalentTo(status);
    }

    [Fact]
    public void Deserialize_CredentialUpdateFromAnAdminForm_ReadsEnvironmentAndSecrets()
    {
        var update = JsonSerializer.Deserialize<CredentialUpdate>(
            """{"Kind":"api_key","Environment":"sandbox","Settings":{"api_endpoint":"https://asp.example/","scheme":"Bearer"},"Secrets":{"api_key":"from-the-form"}}""");

        update!.Kind.Should().Be(ApiKeyKind.KindName);
        update.Environment.Should().Be(TransmissionEnvironment.Sandbox, "environment names compare without regard to case");
        update.Secrets["api_key"]!.Reveal().Should().Be("from-the-form");
        update.Settings["scheme"].Should().Be("Bearer");
        update.ToString().Should().NotContain("from-the-form");
    }

    [Theory]
    [InlineData("\"has space\"")]
    [InlineData("42")]
    public void Deserialize_InvalidEnvironment_ThrowsJsonException(string value)
    {
        var act = () => JsonSerializer.Deserialize<TransmissionEnvironment>(value);

        act.Should().Throw<JsonException>();
    }
}
