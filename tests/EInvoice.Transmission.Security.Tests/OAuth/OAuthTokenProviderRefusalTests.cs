using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

/// <summary>
/// What the library asks the identity provider, and what it says, when it should not ask at all (issue #10, items 7,
/// 15 and 17): a client of the wrong environment or a request to another origin causes no token request; a permanent
/// refusal is not asked again with the same credentials; every backoff says when it ends.
/// </summary>
public sealed class OAuthTokenProviderRefusalTests
{
    [Fact]
    public async Task SendAsync_SandboxCredentialsOnAProductionClient_NoTokenRequestAndStatusNotValid()
    {
        await using var host = TransmissionTestHost.With().Environment(TransmissionEnvironment.Production).Start();
        await host.Store.SetAsync(The.CompanyId, The.DirectCredentials with { Environment = TransmissionEnvironment.Sandbox }, The.AdminWithMfa);
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("sandbox-token"));
        host.ServeApi(The.ApiEndpoint);

        var act = () => host.SendAsync();

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.EnvironmentMismatch);
        host.Http.GetMatchCount(token).Should().Be(0, "the sandbox secret is not posted for a production client");
        (await host.Store.GetStatusAsync(The.CompanyId))!.IsValid.Should().BeNull("nothing was validated");
    }

    [Fact]
    public async Task SendAsync_RequestToAnotherOriginOnAColdCache_NoTokenRequest()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("t"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://elsewhere.example/collect").SetCompanyId(The.CompanyId);
        var act = () => host.Api().SendAsync(request);

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.EndpointMismatch);
        host.Http.GetMatchCount(token).Should().Be(0);
    }

    [Fact]
    public async Task SendAsync_RequestAddressWithUserInformation_TheMismatchMessageLeavesItOut()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://someone:CANARY-password@elsewhere.example/collect?key=CANARY-query").SetCompanyId(The.CompanyId);
        var act = () => host.Api().SendAsync(request);

        var error = (await act.Should().ThrowAsync<OAuthTokenException>()).Which;
        error.Message.Should().Contain("https://elsewhere.example:443").And.NotContain("CANARY");
    }

    [Fact]
    public async Task SendAsync_MismatchedAndMatchingClientsAtOnce_TheMatchingOneIsServedAndNotBlocked()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await Task.Delay(50);
            return TokenResponses.Token("t");
        });
        host.ServeApi(The.ApiEndpoint);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var uri = i % 2 == 0 ? new Uri(The.ApiEndpoint, "invoices") : new Uri("https://elsewhere.example/collect");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri).SetCompanyId(The.CompanyId);
            try
            {
                using var response = await host.Api().SendAsync(request);
                return response.StatusCode.ToString();
            }
            catch (OAuthTokenException ex)
            {
                return ex.Error!;
            }
        })));

        results.Where((_, i) => i % 2 == 0).Should().AllBe("OK", "a refusal for another origin is not recorded against the company");
        results.Where((_, i) => i % 2 == 1).Should().AllBe(OAuthTokenException.EndpointMismatch);
        host.Http.GetMatchCount(token).Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_InvalidClient_NotAskedAgainWithTheSameCredentialsUntilTheyChange()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret)
            .Respond(_ => TokenResponses.Error(HttpStatusCode.Unauthorized, "invalid_client"));
        var fixedSecret = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "fixed-secret")
            .Respond(_ => TokenResponses.Token("good"));
        host.ServeApi(The.ApiEndpoint);

        var first = await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>();
        first.Which.IsTransient.Should().BeFalse();
        first.Which.RetryAfter.Should().BeNull("the library will not ask again by itself");
        first.Which.Message.Should().Contain("no token is requested again with these credentials");

        // Hours pass, with requests now and then: the same secret is never posted again.
        for (var i = 0; i < 10; i++)
        {
            host.FakeClock.Advance(TimeSpan.FromMinutes(30));
            (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be("invalid_client");
        }

        host.Http.GetMatchCount(token).Should().Be(1);

        // New credentials (a new version) are asked at once.
        await host.SetDirectAsync(clientSecret: "fixed-secret");
        using var response = await host.SendAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Http.GetMatchCount(fixedSecret).Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_InvalidClientThenAnotherProcessChangesTheSecret_NoticedAtTheNextRecheck()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret)
            .Respond(_ => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_client"));
        var fixedSecret = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "fixed-secret")
            .Respond(_ => TokenResponses.Token("good"));
        host.ServeApi(The.ApiEndpoint);
        await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>();

        // The admin fixes the secret through another process's store: this host is not told.
        await using (var other = TransmissionTestHost.With().Storage(repository).Clock(clock).Start())
        {
            await other.SetDirectAsync(clientSecret: "fixed-secret");
        }

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Http.GetMatchCount(fixedSecret).Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_FirstTransientFailure_AlreadySaysWhenTheLibraryAsksAgain()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.InitialBackoff = TimeSpan.FromSeconds(10)).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(HttpStatusCode.ServiceUnavailable);

        var first = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        first.IsTransient.Should().BeTrue();
        first.RetryAfter.Should().NotBeNull("the backoff starts with this failure");
        first.RetryAfter!.Value.Should().BeGreaterThan(TimeSpan.FromSeconds(7)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(10));
        var second = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;
        second.RetryAfter.Should().Be(first.RetryAfter, "no time passed on the fake clock");
    }

    [Theory]
    [InlineData("asp")]
    [InlineData("direct")]
    public async Task SendAsync_AnotherProcessMovesTheEndpoint_NoticedAtTheRecheckAndNothingGoesToTheOldOrigin(string mode)
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        var oldOrigin = mode == "asp" ? The.AspEndpoint : The.ApiEndpoint;
        var newOrigin = new Uri("https://moved.platform.example/v2/");
        await using var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        await host.Store.SetAsync(The.CompanyId, mode == "asp" ? The.AspCredentials : The.DirectCredentials, The.AdminWithMfa);
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("t", expiresIn: 24 * 3600));
        host.ServeApi(oldOrigin);
        host.ServeApi(newOrigin);
        (await SendToAsync(host, oldOrigin)).Should().Be("OK");

        // Another process moves the company to a new endpoint; this host is not told.
        await using (var other = TransmissionTestHost.With().Storage(repository).Clock(clock).Start())
        {
            await other.Store.SetAsync(
                The.CompanyId,
                mode == "asp" ? new CredentialUpdate {  }.WithSetting(ApiKeyKind.ApiEndpoint, newOrigin) : new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.ApiEndpoint, newOrigin),
                The.AdminWithMfa);
        }

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        // Within the re-check interval the change is read from the audit trail and the company's snapshot is dropped:
        // from then on only requests to the new origin are made.
        await Eventually.TrueAsync(() => !host.Services.GetRequiredService<Internal.AccessTokenCache>().IsCached(The.CompanyId), "the change made elsewhere was read");
        (await SendToAsync(host, newOrigin)).Should().Be("OK", "the change made elsewhere was noticed within the re-check interval");
        var callsToOld = host.ApiCalls.Count(c => c.Uri!.Host == oldOrigin.Host);
        (await SendToAsync(host, oldOrigin)).Should().Be(OAuthTokenException.EndpointMismatch, "the old origin gets nothing any more");
        host.ApiCalls.Count(c => c.Uri!.Host == oldOrigin.Host).Should().Be(callsToOld);
    }

    private static async Task<string> SendToAsync(TransmissionTestHost host, Uri origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(origin, "invoices")).SetCompanyId(The.CompanyId);
        try
        {
            using var response = await host.Api().SendAsync(request);
            return response.StatusCode.ToString();
        }
        catch (OAuthTokenException ex)
        {
            return ex.Error!;
        }
    }
}
