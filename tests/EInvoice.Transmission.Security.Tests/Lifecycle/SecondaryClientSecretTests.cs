using System.Net;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Lifecycle;

/// <summary>
/// Two live secrets (issue #14, scope 4) against a local OAuth server (LoopbackHttpServer) that refuses the primary:
/// on <c>invalid_client</c> the secondary is tried once, the outcome is recorded (event 1511, stored with the token) and
/// the status says which secret serves; no other failure switches secrets.
/// </summary>
public sealed class SecondaryClientSecretTests
{
    private const string Primary = "primary-secret-0c5e";
    private const string Secondary = "secondary-secret-7b19";

    private static LoopbackHttpServer Platform(params string[] accepted) => new((request, body) =>
    {
        if (request.Url!.AbsolutePath != "/token")
        {
            return (200, "{}", null);
        }

        var secret = ClientSecretOf(body);
        return accepted.Contains(secret)
            ? (200, $$"""{"access_token":"token-for-{{secret}}","token_type":"Bearer","expires_in":3600}""", null)
            : (401, """{"error":"invalid_client"}""", null);
    });

    private static string ClientSecretOf(string body)
        => body.Split('&').Select(Uri.UnescapeDataString).Single(p => p.StartsWith("client_secret=", StringComparison.Ordinal))["client_secret=".Length..];

    private static CredentialUpdate TwoSecretsOn(LoopbackHttpServer platform)
        => LiveHost.DirectOn(platform, Primary).WithSecret(OAuthClientCredentialsKind.SecondaryClientSecret, new SecretValue(Secondary));

    private static string[] TokenRequestSecrets(LoopbackHttpServer platform)
        => [.. platform.Received.Where(r => r.PathAndQuery == "/token").Select(r => ClientSecretOf(r.Body))];

    [Fact]
    public async Task Send_PrimaryRefusedWithInvalidClient_TriesTheSecondaryOnceAndTheStatusSaysItServes()
    {
        await using var platform = Platform(Secondary);
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        await host.Store.SetAsync(The.CompanyId, TwoSecretsOn(platform), The.AdminWithMfa);

        var response = await host.SendAsync(new Uri(platform.BaseUri, "api/invoices"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        TokenRequestSecrets(platform).Should().Equal(Primary, Secondary);
        platform.Received.Last().Headers.Should().Contain($"Bearer token-for-{Secondary}");
        (await host.Store.GetStatusAsync(The.CompanyId))!.ServingSecretName.Should().Be(OAuthClientCredentialsKind.SecondaryClientSecret);
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1511).Which.Message.Should().NotContain(Primary).And.NotContain(Secondary);
    }

    [Fact]
    public async Task Send_PrimaryAccepted_UsesOnlyThePrimaryAndTheStatusSaysSo()
    {
        await using var platform = Platform(Primary, Secondary);
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        await host.Store.SetAsync(The.CompanyId, TwoSecretsOn(platform), The.AdminWithMfa);

        (await host.SendAsync(new Uri(platform.BaseUri, "api/invoices"))).StatusCode.Should().Be(HttpStatusCode.OK);

        TokenRequestSecrets(platform).Should().Equal(Primary);
        (await host.Store.GetStatusAsync(The.CompanyId))!.ServingSecretName.Should().BeNull("the usual secret serves");
    }

    [Fact]
    public async Task Send_BothRefused_FailsAfterOneTryEach()
    {
        await using var platform = Platform();
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        await host.Store.SetAsync(The.CompanyId, TwoSecretsOn(platform), The.AdminWithMfa);

        var act = () => host.SendAsync(new Uri(platform.BaseUri, "api/invoices"));

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Message.Should().NotContain(Primary).And.NotContain(Secondary);
        TokenRequestSecrets(platform).Should().Equal(Primary, Secondary);
    }

    [Fact]
    public async Task Send_NoSecondary_OrAnotherFailure_NeverSwitches()
    {
        await using var refusing = Platform();
        await using var unavailable = new LoopbackHttpServer((_, _) => (503, "{}", null));
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(refusing, Primary), The.AdminWithMfa);
        await host.Store.SetAsync(The.OtherCompanyId, TwoSecretsOn(unavailable), The.AdminWithMfa);

        await FluentActions.Awaiting(() => host.SendAsync(new Uri(refusing.BaseUri, "api/invoices"))).Should().ThrowAsync<OAuthTokenException>();
        await FluentActions.Awaiting(() => host.SendAsync(new Uri(unavailable.BaseUri, "api/invoices"), The.OtherCompanyId)).Should().ThrowAsync<OAuthTokenException>();

        TokenRequestSecrets(refusing).Should().Equal(Primary);
        TokenRequestSecrets(unavailable).Should().Equal([Primary], "a server error says nothing about the secret");
    }
}
