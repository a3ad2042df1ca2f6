using System.Net;
using EInvoice.Transmission.Security.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderPersistenceTests
{
    [Fact]
    public async Task SendAsync_NewProviderOverTheSameStorage_ReusesThePersistedTokenWithoutATokenRequest()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using (var first = TransmissionTestHost.Create(repository, clock))
        {
            await first.SetDirectAsync();
            first.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("persisted-token"));
            first.ServeApi(The.ApiEndpoint);
            (await first.SendAsync()).Dispose();
        }

        clock.Advance(TimeSpan.FromMinutes(30));
        await using var second = TransmissionTestHost.Create(repository, clock);
        second.ServeApi(The.ApiEndpoint);

        using var response = await second.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the throwing fallback would have failed any token request");
        second.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer persisted-token");
    }

    [Fact]
    public async Task SendAsync_PersistedTokenNearExpiry_IsNotReused()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using (var first = TransmissionTestHost.Create(repository, clock))
        {
            await first.SetDirectAsync();
            first.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("old-token"));
            first.ServeApi(The.ApiEndpoint);
            (await first.SendAsync()).Dispose();
        }

        clock.Advance(TimeSpan.FromMinutes(59));
        await using var second = TransmissionTestHost.Create(repository, clock);
        var token = second.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("fresh-token"));
        second.ServeApi(The.ApiEndpoint);

        (await second.SendAsync()).Dispose();

        second.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer fresh-token");
    }

    [Fact]
    public async Task SendAsync_AfterACredentialChange_UsesANewTokenFromTheNewSecret()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret).Respond(_ => TokenResponses.Token("old-secret-token"));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "rotated-secret").Respond(_ => TokenResponses.Token("new-secret-token"));
        host.ServeApi(The.ApiEndpoint);
        (await host.SendAsync()).Dispose();

        await host.Store.SetAsync(The.CompanyId, new CredentialUpdate { ClientSecret = new SecretValue("rotated-secret") }, The.AdminWithMfa);
        (await host.SendAsync()).Dispose();

        host.ApiCalls.Select(c => c.Authorization).Should().Equal("Bearer old-secret-token", "Bearer new-secret-token");
    }

    [Fact]
    public async Task SendAsync_CredentialsChangedByAnotherProcess_NewTokenWithinTheRecheckInterval()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var other = TransmissionTestHost.Create(repository, clock);
        await using var host = TransmissionTestHost.Create(repository, clock, o => o.CredentialRecheckInterval = TimeSpan.FromMinutes(1));
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret).Respond(_ => TokenResponses.Token("old-secret-token"));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "rotated-elsewhere").Respond(_ => TokenResponses.Token("new-secret-token"));
        host.ServeApi(The.ApiEndpoint);
        (await host.SendAsync()).Dispose();

        await other.Store.SetAsync(The.CompanyId, new CredentialUpdate { ClientSecret = new SecretValue("rotated-elsewhere") }, The.AdminWithMfa);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await host.SendAsync()).Dispose();

        await Eventually.TrueAsync(() => host.SendAsync().Result.RequestMessage!.Headers.Authorization!.Parameter == "new-secret-token", "the re-check picked up the change");
        host.ApiCalls.First().Authorization.Should().Be("Bearer old-secret-token");
    }

    [Fact]
    public async Task SendAsync_TwoHostsOnOneStorageStartColdAtOnce_SendOneTokenRequestBetweenThem()
    {
        var repository = new InMemoryCredentialRepository();
        using var http = new MockHttpMessageHandler();
        var token = http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await Task.Delay(300);
            return TokenResponses.Token("shared-across-hosts");
        });
        await using var first = TransmissionTestHost.Create(repository, TimeProvider.System, http: http);
        await using var second = TransmissionTestHost.Create(repository, TimeProvider.System, http: http);
        first.ServeApi(The.ApiEndpoint);
        await first.SetDirectAsync();

        var requests = Enumerable.Range(0, 20).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).SendAsync()));
        var responses = await Task.WhenAll(requests);

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        http.GetMatchCount(token).Should().Be(1, "the database lease lets one host ask while the other waits for the stored token");
        first.ApiCalls.Should().HaveCount(20).And.OnlyContain(c => c.Authorization == "Bearer shared-across-hosts");
    }
}
