using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class CredentialConnectionTesterTests
{
    private static CredentialConnectionTester Tester(TransmissionTestHost host) => host.Services.GetRequiredService<CredentialConnectionTester>();

    [Fact]
    public async Task TestAsync_DirectCredentialsAccepted_RecordsSuccessAndServesTheNewToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("tested-token"));
        host.ServeApi(The.ApiEndpoint);

        var result = await Tester(host).TestAsync(The.CompanyId);
        (await host.SendAsync()).Dispose();

        result.Should().Be(new ConnectionTestResult(The.Now, true, null));
        var status = await host.Store.GetStatusAsync(The.CompanyId);
        status!.LastConnectionTest.Should().Be(result);
        status.IsValid.Should().BeTrue();
        host.Http.GetMatchCount(token).Should().Be(1, "the token the test obtained is the one the next request uses");
        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer tested-token");
    }

    [Fact]
    public async Task TestAsync_DirectCredentialsRefused_RecordsTheScrubbedError()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => TokenResponses.Error(HttpStatusCode.Unauthorized, "invalid_client", $"secret {The.ClientSecret} rejected"));

        var result = await Tester(host).TestAsync(The.CompanyId);

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Contain("invalid_client").And.Contain("[redacted]").And.NotContain(The.ClientSecret);
        var status = await host.Store.GetStatusAsync(The.CompanyId);
        status!.LastConnectionTest!.Error.Should().Be(result.Error);
        status.IsValid.Should().BeFalse();
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, true)]
    [InlineData(HttpStatusCode.NotFound, true)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.BadGateway, false)]
    [InlineData(HttpStatusCode.TemporaryRedirect, false)]
    public async Task TestAsync_AspCredentials_CallsTheEndpointWithTheKey(HttpStatusCode answer, bool succeeds)
    {
        await using var host = TransmissionTestHost.Create();
        await host.Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        var probe = host.Http.When(HttpMethod.Get, The.AspEndpoint.AbsoluteUri).WithHeaders("X-API-Key", The.ApiKey);
        probe.Respond(answer);

        var result = await Tester(host).TestAsync(The.CompanyId);

        result.Succeeded.Should().Be(succeeds);
        host.Http.GetMatchCount(probe).Should().Be(1);
        (await host.Store.GetStatusAsync(The.CompanyId))!.LastConnectionTest.Should().Be(result);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TemporaryRedirect)]
    public async Task TestAsync_FailureThatSaysNothingAboutTheCredentials_RecordedButValidityKept(HttpStatusCode answer)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("first"));
        (await Tester(host).TestAsync(The.CompanyId)).Succeeded.Should().BeTrue();
        host.Http.Clear();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(answer);

        var result = await Tester(host).TestAsync(The.CompanyId);

        result.Succeeded.Should().BeFalse();
        var status = await host.Store.GetStatusAsync(The.CompanyId);
        status!.LastConnectionTest.Should().Be(result);
        status.IsValid.Should().BeTrue("an outage or a redirect proves nothing about the secret");
    }

    [Fact]
    public async Task TestAsync_SandboxCredentials_SucceedWithoutACall()
    {
        await using var host = TransmissionTestHost.Create();
        await host.Store.SetAsync(The.CompanyId, new CredentialUpdate { Kind = NoCredentialsKind.KindName, Environment = TransmissionEnvironment.Sandbox }, The.AdminWithMfa);

        var result = await Tester(host).TestAsync(The.CompanyId);

        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task TestAsync_UnknownCompany_FailsWithoutRecording()
    {
        await using var host = TransmissionTestHost.Create();

        var result = await Tester(host).TestAsync("nobody");

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Contain("No credentials");
        (await host.Store.GetStatusAsync("nobody")).Should().BeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" padded ")]
    public async Task TestAsync_InvalidCompanyId_ThrowsArgumentException(string companyId)
    {
        await using var host = TransmissionTestHost.Create();

        var act = () => Tester(host).TestAsync(companyId);

        await act.Should().ThrowAsync<ArgumentException>().WithParameterName("companyId");
    }
}
