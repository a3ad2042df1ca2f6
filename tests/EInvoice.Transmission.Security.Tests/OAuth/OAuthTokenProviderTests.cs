using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EInvoice.Transmission.Security.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderTests
{
    [Fact]
    public async Task SendAsync_ColdCache_PostsClientCredentialsAndSendsTheBearerToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .WithFormData(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = The.ClientId,
                ["client_secret"] = The.ClientSecret,
                ["scope"] = "einvoice:transmit einvoice:status",
            })
            .Respond(_ => TokenResponses.Token("access-1"));
        host.ServeApi(The.ApiEndpoint);

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer access-1");
        host.Http.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task SendAsync_ManyRequests_UsesTheCachedTokenWithoutAskingAgain()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("access-1"));
        host.ServeApi(The.ApiEndpoint);

        for (var i = 0; i < 20; i++)
        {
            (await host.SendAsync()).Dispose();
        }

        host.Http.GetMatchCount(token).Should().Be(1);
        host.ApiCalls.Should().HaveCount(20).And.OnlyContain(c => c.Authorization == "Bearer access-1");
    }

    [Fact]
    public async Task SendAsync_CredentialsNameAScope_RequestsThatScope()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync(scope: "invoices:submit");
        host.Http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("scope", "invoices:submit").Respond(_ => TokenResponses.Token("a"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        host.Http.VerifyNoOutstandingExpectation();
    }

    [Theory]
    [InlineData("plain-client", "plain-secret")]
    [InlineData("client:with:colons", "secret:with:colons")]
    [InlineData("client with spaces", "secret with spaces")]
    [InlineData("client+plus", "secret+plus%percent")]
    [InlineData("clïent-ünïcode-客户", "sécret-ünïcode-秘密-🔑")]
    public async Task SendAsync_ClientSecretPost_SendsIdAndSecretInTheFormExactly(string clientId, string clientSecret)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync(clientId: clientId, clientSecret: clientSecret);
        host.Http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .WithFormData(new Dictionary<string, string> { ["client_id"] = clientId, ["client_secret"] = clientSecret })
            .With(request => request.Headers.Authorization is null)
            .Respond(_ => TokenResponses.Token("a"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        host.Http.VerifyNoOutstandingExpectation();
    }

    [Theory]
    [InlineData("plain-client", "plain-secret", "plain-client:plain-secret")]
    [InlineData("client:with:colons", "secret:with:colons", "client%3Awith%3Acolons:secret%3Awith%3Acolons")]
    [InlineData("client with spaces", "secret with spaces", "client+with+spaces:secret+with+spaces")]
    [InlineData("client+plus", "secret+plus%percent", "client%2Bplus:secret%2Bplus%25percent")]
    [InlineData("clïent", "sécret-🔑", "cl%C3%AFent:s%C3%A9cret-%F0%9F%94%91")]
    public async Task SendAsync_ClientSecretBasic_FormUrlEncodesIdAndSecretBeforeBase64(string clientId, string clientSecret, string expectedPair)
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.ClientAuthentication = OAuthClientAuthentication.ClientSecretBasic).Start();
        await host.SetDirectAsync(clientId: clientId, clientSecret: clientSecret);
        string? sentPair = null;
        host.Http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .WithFormData("grant_type", "client_credentials")
            .With(request =>
            {
                sentPair = Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization!.Parameter!));
                return request.Headers.Authorization.Scheme == "Basic";
            })
            .Respond(_ => TokenResponses.Token("a"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        host.Http.VerifyNoOutstandingExpectation();
        sentPair.Should().Be(expectedPair);
        Uri.UnescapeDataString(sentPair!.Split(':')[1].Replace('+', ' ')).Should().Be(clientSecret, "a server form-decodes the password back");
    }

    [Fact]
    public async Task SendAsync_ClientSecretBasic_SendsNoSecretInTheForm()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.ClientAuthentication = OAuthClientAuthentication.ClientSecretBasic).Start();
        await host.SetDirectAsync();
        string? form = null;
        host.Http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .With(request => (form = request.Content!.ReadAsStringAsync().Result) is not null)
            .Respond(_ => TokenResponses.Token("a"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        form.Should().NotContain("client_secret").And.NotContain("client_id");
    }

    [Fact]
    public async Task SendAsync_NoCompanyOnTheRequest_ThrowsInvalidOperationExceptionAndSendsNothing()
    {
        await using var host = TransmissionTestHost.Create();

        var act = () => host.Api().GetAsync(new Uri(The.ApiEndpoint, "invoices"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*SetCompanyId*");
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_UnknownCompany_ThrowsCredentialsNotFoundAndSendsNothing()
    {
        await using var host = TransmissionTestHost.Create();
        host.ServeApi(The.ApiEndpoint);

        var act = () => host.SendAsync("no-such-company");

        var error = (await act.Should().ThrowAsync<OAuthTokenException>()).Which;
        error.Error.Should().Be(OAuthTokenException.CredentialsNotFound);
        error.IsTransient.Should().BeFalse();
        error.CompanyId.Should().Be("no-such-company");
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_SandboxCredentialsOnAProductionClient_AreRefused()
    {
        await using var host = TransmissionTestHost.Create();
        await host.Store.SetAsync(The.CompanyId, The.DirectCredentials with { Environment = TransmissionEnvironment.Sandbox }, The.AdminWithMfa);
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("sandbox-token"));
        host.ServeApi(The.ApiEndpoint);

        var act = () => host.SendAsync();

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.EnvironmentMismatch);
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_ProductionCredentialsOnASandboxClient_AreRefused()
    {
        await using var host = TransmissionTestHost.With().Environment(TransmissionEnvironment.Sandbox).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("production-token"));
        host.ServeApi(The.ApiEndpoint);

        var act = () => host.SendAsync();

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.EnvironmentMismatch);
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_RequestToAnotherHostThanTheStoredApi_IsRefusedWithoutSendingTheToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("a"));
        var elsewhere = host.Http.When("https://attacker.example/*").Respond(HttpStatusCode.OK);

        using var request = new HttpRequestMessage(HttpMethod.Get, "https://attacker.example/collect").SetCompanyId(The.CompanyId);
        var act = () => host.Api().SendAsync(request);

        (await act.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.EndpointMismatch);
        host.Http.GetMatchCount(elsewhere).Should().Be(0);
    }

    [Fact]
    public async Task SendAsync_AspCredentials_SendsTheApiKeyAndIdentifierHeaders()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.AspIdentifierHeaderName = "X-Participant-Id").Start();
        await host.Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        string? participant = null;
        host.ServeApi(The.AspEndpoint, request =>
        {
            participant = request.Headers.GetValues("X-Participant-Id").Single();
            return new HttpResponseMessage(HttpStatusCode.Accepted);
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(The.AspEndpoint, "documents")).SetCompanyId(The.CompanyId);
        using var response = await host.Api().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        host.ApiCalls.Should().ContainSingle().Which.Should().BeEquivalentTo(new { ApiKey = The.ApiKey, Authorization = (string?)null });
        participant.Should().Be("0235:100234567800003");
    }

    [Fact]
    public async Task SendAsync_SandboxMode_SendsNoCredentials()
    {
        await using var host = TransmissionTestHost.With().Environment(TransmissionEnvironment.Sandbox).Start();
        await host.Store.SetAsync(The.CompanyId, new CredentialUpdate { Kind = NoCredentialsKind.KindName, Environment = TransmissionEnvironment.Sandbox }.WithSetting(OAuthClientCredentialsKind.ApiEndpoint, The.ApiEndpoint), The.AdminWithMfa);
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync()).Dispose();

        host.ApiCalls.Should().ContainSingle().Which.HasCredentials.Should().BeFalse();
    }

    [Fact]
    public async Task Send_Synchronous_IsNotSupported()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(The.ApiEndpoint, "x")).SetCompanyId(The.CompanyId);

        var act = () => host.Api().Send(request);

        act.Should().Throw<NotSupportedException>();
    }

    [Fact]
    public async Task SendAsync_CallerAlreadySetAuthorization_IsReplacedByTheCompanyToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("company-token"));
        host.ServeApi(The.ApiEndpoint);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(The.ApiEndpoint, "x")).SetCompanyId(The.CompanyId);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "someone-elses");

        (await host.Api().SendAsync(request)).Dispose();

        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer company-token");
    }
}
