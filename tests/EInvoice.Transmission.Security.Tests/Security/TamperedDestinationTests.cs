using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>
/// Someone with write access to the database, and no key, points a company's endpoint at their own server: no secret,
/// API key or token goes there, through the handler or the connection test.
/// </summary>
public sealed class TamperedDestinationTests
{
    private static readonly Uri Attacker = new("https://attacker.example/");

    [Fact]
    public async Task SendAsync_TokenEndpointRedirectedInStorage_SendsNothingAndFailsAsUnreadable()
    {
        var repository = new InMemoryCredentialRepository();
        await using var host = TransmissionTestHost.With().Storage(repository).Start();
        await host.SetDirectAsync();
        await RedirectAsync(repository, row => row.WithSetting("token_endpoint", new Uri(Attacker, "token").AbsoluteUri));
        var attacker = host.Http.When(Attacker.AbsoluteUri + "*").Respond(_ => TokenResponses.Token("attacker-token"));
        host.ServeApi(The.ApiEndpoint);

        var send = () => host.SendAsync();

        (await send.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.CredentialsUnreadable);
        host.Http.GetMatchCount(attacker).Should().Be(0, "the client secret never leaves for the redirected endpoint");
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task TestAsync_AspEndpointRedirectedInStorage_SendsNothingAndReportsTheCredentialsUnreadable()
    {
        var repository = new InMemoryCredentialRepository();
        await using var host = TransmissionTestHost.With().Storage(repository).Start();
        await host.Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        await RedirectAsync(repository, row => row.WithSetting("api_endpoint", Attacker.AbsoluteUri));
        var attacker = host.Http.When(Attacker.AbsoluteUri + "*").Respond(System.Net.HttpStatusCode.OK);

        var result = await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(The.CompanyId);

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Contain("cannot be opened");
        host.Http.GetMatchCount(attacker).Should().Be(0, "the API key never leaves for the redirected endpoint");
    }

    [Fact]
    public async Task TamperStatusPartialUpdateSend_InMemory_AttackerReceivesNothingAndTheStatusFlagsIt()
    {
        var repository = new InMemoryCredentialRepository();
        await DestinationTamperScenario.RunAsync(() => repository);
    }

    private static async Task RedirectAsync(InMemoryCredentialRepository repository, Func<StoredCredential, StoredCredential> redirect)
    {
        var row = (await repository.GetAsync(The.CompanyId))!;
        (await repository.UpdateAsync(redirect(row) with { RowVersion = row.RowVersion + 1 }, row.RowVersion, null)).Should().BeTrue();
    }
}
