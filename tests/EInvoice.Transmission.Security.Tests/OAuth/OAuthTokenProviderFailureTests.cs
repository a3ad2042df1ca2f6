using System.Net;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

/// <summary>
/// Token endpoint failures: each ends in a typed exception, never in a request sent without credentials, and never
/// in a loop of token requests.
/// </summary>
public sealed class OAuthTokenProviderFailureTests
{
    private static async Task<OAuthTokenException> FailsAsync(TransmissionTestHost host, string companyId = The.CompanyId)
        => (await FluentActions.Awaiting(() => host.SendAsync(companyId)).Should().ThrowAsync<OAuthTokenException>()).Which;

    private static void NoRequestWithoutCredentials(TransmissionTestHost host)
        => host.ApiCalls.Should().OnlyContain(c => c.HasCredentials, "the API never receives a request without credentials");

    [Fact]
    public async Task SendAsync_InvalidClient_ThrowsAPermanentErrorAndClearsStoredTokens()
    {
        await using var host = TransmissionTestHost.Create();
        var created = await host.SetDirectAsync();
        await host.Services.GetRequiredService<TokenPathGateway>().SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("expired"), null, The.Now.AddMinutes(-1), The.Now.AddMinutes(-2), default);
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_client", "Client authentication failed"));
        host.ServeApi(The.ApiEndpoint);

        var error = await FailsAsync(host);

        error.Error.Should().Be("invalid_client");
        error.ErrorDescription.Should().Be("Client authentication failed");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.IsTransient.Should().BeFalse();
        error.CompanyId.Should().Be(The.CompanyId);
        error.Message.Should().Contain("invalid_client").And.NotContain(The.ClientSecret);
        var status = await host.Store.GetStatusAsync(The.CompanyId);
        status!.AccessTokenExpiresAt.Should().BeNull("a failed token operation clears the stored tokens");
        status.IsValid.Should().BeFalse();
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_503WithRetryAfter30_BacksOffThatCompanyOnlyFor30Seconds()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        await host.SetDirectAsync(The.OtherCompanyId, clientId: "healthy-client");
        var broken = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_id", The.ClientId);
        broken.Respond(_ => TokenResponses.Error(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", retryAfter: TimeSpan.FromSeconds(30)));
        var healthy = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_id", "healthy-client");
        healthy.Respond(_ => TokenResponses.Token("healthy-token"));
        host.ServeApi(The.ApiEndpoint);

        var first = await FailsAsync(host);
        first.IsTransient.Should().BeTrue();
        first.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        first.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));

        for (var second = 0; second < 29; second++)
        {
            host.FakeClock.Advance(TimeSpan.FromSeconds(1));
            var again = await FailsAsync(host);
            again.RetryAfter.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(29 - second));
            using var other = await host.SendAsync(The.OtherCompanyId);
            other.StatusCode.Should().Be(HttpStatusCode.OK, "another company is unaffected");
        }

        host.Http.GetMatchCount(broken).Should().Be(1, "no new token request for that company within 30 s");
        host.Http.GetMatchCount(healthy).Should().Be(1);

        host.FakeClock.Advance(TimeSpan.FromSeconds(1));
        await FailsAsync(host);
        host.Http.GetMatchCount(broken).Should().Be(2, "after 30 s it asks again");
        NoRequestWithoutCredentials(host);
    }

    [Fact]
    public async Task SendAsync_RepeatedServerErrors_BackOffExponentially()
    {
        await using var host = TransmissionTestHost.With().OAuth(o =>
        {
            o.InitialBackoff = TimeSpan.FromSeconds(1);
            o.MaxBackoff = TimeSpan.FromSeconds(8);
        }).Start();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Error(HttpStatusCode.InternalServerError, "server_error"));

        var attemptsAt = new List<double>();
        for (var tenths = 0; tenths <= 300; tenths++)
        {
            var before = host.Http.GetMatchCount(token);
            await FailsAsync(host);
            if (host.Http.GetMatchCount(token) > before)
            {
                attemptsAt.Add(tenths / 10.0);
            }

            host.FakeClock.Advance(TimeSpan.FromMilliseconds(100));
        }

        var gaps = attemptsAt.Zip(attemptsAt.Skip(1), (a, b) => b - a).ToList();
        gaps.Should().HaveCountGreaterThan(4);
        gaps.Take(4).Should().SatisfyRespectively(
            g => g.Should().BeInRange(0.8, 1.1),
            g => g.Should().BeInRange(1.6, 2.1),
            g => g.Should().BeInRange(3.2, 4.1),
            g => g.Should().BeInRange(6.4, 8.1));
        gaps.Skip(4).Should().OnlyContain(g => g >= 6.4 && g <= 8.1, "the backoff stops growing at MaxBackoff");
    }

    [Fact]
    public async Task SendAsync_TokenEndpointNeverAnswers_ThrowsATransientTimeoutAfterTheConfiguredTime()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.TokenRequestTimeout = TimeSpan.FromSeconds(10)).Start();
        await host.SetDirectAsync();
        var hang = new TaskCompletionSource<HttpResponseMessage>();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(() => hang.Task);
        host.ServeApi(The.ApiEndpoint);

        var sending = host.SendAsync();
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 1, "the token request is in flight");
        host.FakeClock.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(50);
        sending.IsCompleted.Should().BeFalse("the timeout is not over yet");
        host.FakeClock.Advance(TimeSpan.FromSeconds(1));

        var error = (await FluentActions.Awaiting(() => sending).Should().ThrowAsync<OAuthTokenException>()).Which;
        error.Error.Should().Be(OAuthTokenException.Timeout);
        error.IsTransient.Should().BeTrue();
        error.ErrorDescription.Should().Be("no answer from https://auth.platform.example:443 within 10 s");
        error.Message.Should().NotContain("/oauth2/token");
        host.ApiCalls.Should().BeEmpty();
        hang.SetCanceled();
    }

    [Fact]
    public async Task SendAsync_NetworkFailure_ThrowsATransientNetworkError()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (auth.platform.example:443)"));

        var error = await FailsAsync(host);

        error.Error.Should().Be(OAuthTokenException.NetworkError);
        error.IsTransient.Should().BeTrue();
        error.InnerException.Should().BeOfType<HttpRequestException>();
        error.ErrorDescription.Should().Be("ConnectionError calling https://auth.platform.example:443");
        error.Message.Should().Contain("https://auth.platform.example:443");
    }

    [Fact]
    public async Task SendAsync_NetworkFailure_NamesSchemeHostAndPortButNeverPathOrQuery()
    {
        await using var host = TransmissionTestHost.Create();
        var endpoint = new Uri("https://auth.platform.example:8443/tenant-7f3a/oauth2/token?realm=r-91c2");
        await host.Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, endpoint), The.AdminWithMfa);
        host.Http.When(HttpMethod.Post, endpoint.AbsoluteUri).Throw(new HttpRequestException(HttpRequestError.NameResolutionError, "No such host is known."));

        var error = await FailsAsync(host);

        error.Error.Should().Be(OAuthTokenException.NetworkError);
        error.Message.Should().Contain("NameResolutionError calling https://auth.platform.example:8443")
            .And.NotContain("tenant-7f3a").And.NotContain("r-91c2");
    }

    public static TheoryData<string, string> MalformedResponses => new()
    {
        { "not JSON", "<html><body>Bad gateway</body></html>" },
        { "JSON array", "[\"access_token\"]" },
        { "no access_token", "{\"token_type\":\"Bearer\",\"expires_in\":3600}" },
        { "empty access_token", "{\"access_token\":\"\",\"expires_in\":3600}" },
        { "zero expires_in", "{\"access_token\":\"x\",\"expires_in\":0}" },
        { "negative expires_in", "{\"access_token\":\"x\",\"expires_in\":-60}" },
        { "sub-second expires_in", "{\"access_token\":\"x\",\"expires_in\":3.769E-75}" },
        { "expires_in not a number", "{\"access_token\":\"x\",\"expires_in\":\"soon\"}" },
        { "token_type not Bearer", "{\"access_token\":\"x\",\"token_type\":\"mac\",\"expires_in\":3600}" },
    };

    [Theory]
    [MemberData(nameof(MalformedResponses))]
    public async Task SendAsync_MalformedTokenResponse_FailsTransientlyAndBacksOffInsteadOfLooping(string name, string body)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Json(HttpStatusCode.OK, body));
        host.ServeApi(The.ApiEndpoint);

        var error = await FailsAsync(host);
        for (var i = 0; i < 100; i++)
        {
            await FailsAsync(host);
        }

        error.Error.Should().Be(OAuthTokenException.InvalidTokenResponse, name);
        error.IsTransient.Should().BeTrue();
        error.Message.Should().NotContain("access_token\":\"x");
        host.Http.GetMatchCount(token).Should().Be(1, "101 requests in the backoff window cause one token request, not a loop");
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_ExpiresInAsANumericString_IsAccepted()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => TokenResponses.Json(HttpStatusCode.OK, "{\"access_token\":\"stringy\",\"token_type\":\"bearer\",\"expires_in\":\"3599\"}"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer stringy");
        (await host.Store.GetStatusAsync(The.CompanyId))!.AccessTokenExpiresAt.Should().Be(The.Now.AddSeconds(3599));
    }

    [Fact]
    public async Task SendAsync_ExpiresInMissing_UsesTheDefaultLifetime()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.DefaultTokenLifetime = TimeSpan.FromMinutes(20)).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => TokenResponses.Json(HttpStatusCode.OK, "{\"access_token\":\"no-expiry\",\"token_type\":\"Bearer\"}"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        (await host.Store.GetStatusAsync(The.CompanyId))!.AccessTokenExpiresAt.Should().Be(The.Now.AddMinutes(20));
    }

    [Fact]
    public async Task SendAsync_ErrorDescriptionEchoesTheSecret_TheSecretIsScrubbed()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => TokenResponses.Error(HttpStatusCode.Unauthorized, "invalid_client", $"secret {The.ClientSecret} is wrong"));

        var error = await FailsAsync(host);

        error.ErrorDescription.Should().Be("secret [redacted] is wrong");
        error.ToString().Should().NotContain(The.ClientSecret);
    }

    [Theory]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    [InlineData(HttpStatusCode.PermanentRedirect)]
    public async Task SendAsync_TokenEndpointAnswersWithARedirect_FailsTransientlyAsRedirectedWithoutInvalidatingTheCredentials(HttpStatusCode redirectStatus)
    {
        await using var host = TransmissionTestHost.Create();
        var created = await host.SetDirectAsync();
        await host.Services.GetRequiredService<TokenPathGateway>().SaveTokensAsync(The.CompanyId, created.Version, new SecretValue("expired"), null, The.Now.AddMinutes(-1), The.Now.AddMinutes(-2), default);
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ =>
        {
            var redirect = new HttpResponseMessage(redirectStatus);
            redirect.Headers.Location = new Uri("https://collector.example/token?leak=ZXJwOnNlY3JldA");
            return redirect;
        });
        host.ServeApi(The.ApiEndpoint);

        var error = await FailsAsync(host);
        await FailsAsync(host);

        error.Error.Should().Be(OAuthTokenException.TokenEndpointRedirected);
        error.StatusCode.Should().Be(redirectStatus);
        error.IsTransient.Should().BeTrue("a redirect says nothing about the credentials");
        error.Message.Should().Contain($"HTTP {(int)redirectStatus}").And.Contain("never followed with credentials")
            .And.NotContain("collector.example").And.NotContain("ZXJwOnNlY3JldA");
        error.ToString().Should().NotContain("collector.example");
        host.Logs.GetSnapshot().Should().NotContain(r => r.Message.Contains("collector.example", StringComparison.Ordinal));
        var status = await host.Store.GetStatusAsync(The.CompanyId);
        status!.IsValid.Should().NotBe(false, "the credentials are not marked invalid");
        status.AccessTokenExpiresAt.Should().NotBeNull("the stored tokens are not cleared");
        host.Http.GetMatchCount(token).Should().Be(1, "the company backs off before asking again");
        host.ApiCalls.Should().BeEmpty();
    }
}
