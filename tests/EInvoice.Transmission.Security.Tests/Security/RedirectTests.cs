using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>
/// No credential ever follows a redirect (issue #10, item 2), even when the host configures a primary handler that
/// follows redirects, as the README's proxy example did: real sockets, a platform on loopback that answers 307 to a
/// second listener, which must receive nothing.
/// </summary>
public sealed class RedirectTests
{
    public static TheoryData<string> FollowingHandlers => ["HttpClientHandler", "SocketsHttpHandler", "HttpClientHandler inside a DelegatingHandler"];

    [Theory]
    [MemberData(nameof(FollowingHandlers))]
    public async Task SendAsync_TokenEndpointAnswers307_ClientSecretIsNotPostedToTheSecondHost(string primary)
    {
        await using var elsewhere = new LoopbackHttpServer();
        await using var platform = RedirectingTo(elsewhere, "/token");
        await using var host = LiveHost.Create(new InMemoryCredentialRepository(), (services, _) =>
            services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => Following(primary)));
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform), The.AdminWithMfa);

        var send = () => host.SendAsync(new Uri(platform.BaseUri, "api/invoices"));

        await send.Should().ThrowAsync<OAuthTokenException>();
        platform.Received.Should().ContainSingle(r => r.PathAndQuery == "/token");
        elsewhere.Received.Should().BeEmpty("the client secret must not be re-posted to where the redirect points");
    }

    [Theory]
    [MemberData(nameof(FollowingHandlers))]
    public async Task SendAsync_AspAnswers307_TheRedirectIsReturnedAndTheApiKeyStaysHome(string primary)
    {
        await using var elsewhere = new LoopbackHttpServer();
        await using var platform = RedirectingTo(elsewhere, "/asp/invoices");
        await using var host = LiveHost.Create(new InMemoryCredentialRepository(), (_, api) => api.ConfigurePrimaryHttpMessageHandler(() => Following(primary)));
        await host.Store.SetAsync(The.CompanyId, LiveHost.AspOn(platform), The.AdminWithMfa);

        using var response = await host.SendAsync(new Uri(platform.BaseUri, "asp/invoices"));

        response.StatusCode.Should().Be(HttpStatusCode.TemporaryRedirect, "the caller gets the redirect, not its target");
        platform.Received.Should().ContainSingle().Which.Headers.Should().Contain(The.ApiKey);
        elsewhere.Received.Should().BeEmpty(".NET drops Authorization on a redirect, but not an API-key header");
    }

    [Theory]
    [MemberData(nameof(FollowingHandlers))]
    public async Task SendAsync_ApiAnswers307_TheRedirectIsReturnedAndTheTokenStaysHome(string primary)
    {
        await using var elsewhere = new LoopbackHttpServer();
        await using var platform = RedirectingTo(elsewhere, "/api/invoices");
        await using var host = LiveHost.Create(new InMemoryCredentialRepository(), (_, api) => api.ConfigurePrimaryHttpMessageHandler(() => Following(primary)));
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform), The.AdminWithMfa);

        using var response = await host.SendAsync(new Uri(platform.BaseUri, "api/invoices"));

        response.StatusCode.Should().Be(HttpStatusCode.TemporaryRedirect);
        elsewhere.Received.Should().BeEmpty();
    }

    [Fact]
    public async Task CreateClient_SharedPrimaryHandlerAlreadyUsedWithRedirects_FailsNamingTheClient()
    {
        await using var platform = new LoopbackHttpServer();
        var shared = new SocketsHttpHandler { AllowAutoRedirect = true };
        using (var warmUp = new HttpClient(shared, disposeHandler: false))
        {
            (await warmUp.GetAsync(platform.BaseUri)).Dispose();
        }

        await using var host = LiveHost.Create(new InMemoryCredentialRepository(), (_, api) => api.ConfigurePrimaryHttpMessageHandler(() => shared));

        var create = () => host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(LiveHost.ApiClientName);

        create.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain(LiveHost.ApiClientName).And.Contain("redirect");
        shared.Dispose();
    }

    /// <summary>A platform whose token endpoint (or API) answers 307 to the same path on <paramref name="elsewhere"/>.</summary>
    private static LoopbackHttpServer RedirectingTo(LoopbackHttpServer elsewhere, string redirectedPath)
    {
        return new LoopbackHttpServer(Answer);

        (int Status, string Body, IReadOnlyDictionary<string, string>? Headers) Answer(HttpListenerRequest request, string body)
        {
            if (request.Url!.AbsolutePath == redirectedPath)
            {
                return (307, "{}", new Dictionary<string, string> { ["Location"] = new Uri(elsewhere.BaseUri, redirectedPath.TrimStart('/')).AbsoluteUri });
            }

            return request.Url.AbsolutePath == "/token"
                ? (200, """{"access_token":"live-token","token_type":"Bearer","expires_in":3600}""", null)
                : (200, "{}", null);
        }
    }

    private static HttpMessageHandler Following(string primary) => primary switch
    {
        "HttpClientHandler" => new HttpClientHandler { AllowAutoRedirect = true },
        "SocketsHttpHandler" => new SocketsHttpHandler { AllowAutoRedirect = true },
        _ => new PassThrough { InnerHandler = new HttpClientHandler { AllowAutoRedirect = true } },
    };

    private sealed class PassThrough : DelegatingHandler;
}
