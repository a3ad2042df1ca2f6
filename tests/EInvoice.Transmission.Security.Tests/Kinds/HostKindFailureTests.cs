using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>What the library does with a careless host kind or a hostile identity provider (found in review).</summary>
public sealed class HostKindFailureTests
{
    private static readonly Uri Api = new("https://careless.api.example/");

    [Theory]
    [InlineData("zero-lifetime")]
    [InlineData("line-break")]
    public async Task HostKindReturningAnUnusableToken_IsAnInvalidTokenResponseAndNothingIsSent(string flaw)
    {
        await using var host = Host(new TokenKind(flaw));
        await host.Store.SetAsync(The.CompanyId, Update(TokenKind.KindName), The.AdminWithMfa);

        var error = await FluentActions.Awaiting(() => SendAsync(host)).Should().ThrowAsync<OAuthTokenException>();

        error.Which.Error.Should().Be(OAuthTokenException.InvalidTokenResponse);
        host.ApiCalls.Should().BeEmpty();
    }

    [Fact]
    public async Task HostKindFailingToBuildItsHeadersAtSendTime_IsReportedByTypeWithoutItsMessage()
    {
        await using var host = Host(new ThrowingHeadersKind());
        await host.Store.SetAsync(The.CompanyId, Update(ThrowingHeadersKind.KindName), The.AdminWithMfa);

        var error = (await FluentActions.Awaiting(() => SendAsync(host)).Should().ThrowAsync<OAuthTokenException>()).Which;

        error.Error.Should().Be(OAuthTokenException.CredentialsUnreadable);
        error.InnerException.Should().BeNull("the kind's exception may hold anything");
        error.ToString().Should().NotContain(ThrowingHeadersKind.Leak).And.Contain(nameof(FormatException));
        host.ApiCalls.Should().BeEmpty();
    }

    [Theory]
    [InlineData(OAuthTokenException.EndpointMismatch)]
    [InlineData(OAuthTokenException.EnvironmentMismatch)]
    [InlineData(OAuthTokenException.CredentialsNotFound)]
    public async Task IdentityProviderAnsweringWithALibraryErrorCode_IsUnrecognized(string code)
    {
        await using var host = TransmissionTestHost.Create();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Error(HttpStatusCode.ServiceUnavailable, code));
        host.ServeApi(The.ApiEndpoint);
        await host.SetDirectAsync();

        var error = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        error.Error.Should().Be(OAuthTokenException.UnrecognizedError, "an identity provider cannot pass for the library and skip the backoff");
    }

    private static CredentialUpdate Update(string kind) => new CredentialUpdate { Kind = kind, Environment = TransmissionEnvironment.Production }
        .WithSetting(CredentialField.ApiEndpointName, Api)
        .WithSecret("key", new SecretValue("host-kind-secret"));

    private static TransmissionTestHost Host(CredentialKind kind)
    {
        var host = TransmissionTestHost.With().Services(services => services.AddEInvoiceTransmission().AddCredentialKind(kind)).Start();
        host.ServeApi(Api);
        return host;
    }

    private static async Task SendAsync(TransmissionTestHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, "invoices"));
        request.SetCompanyId(The.CompanyId);
        (await host.Api().SendAsync(request)).Dispose();
    }

    private sealed class TokenKind(string flaw) : CredentialKind(KindName, [CredentialField.Endpoint(CredentialField.ApiEndpointName, isRequired: true), CredentialField.Secret("key", isRequired: true)])
    {
        public const string KindName = "careless_token";

        public override bool UsesAccessToken => true;

        protected internal override Task<IssuedToken> RequestTokenAsync(TokenRequestContext context, CancellationToken cancellationToken)
            => Task.FromResult(flaw == "zero-lifetime"
                ? new IssuedToken(new SecretValue("token"), null, context.TimeProvider.GetUtcNow(), TimeSpan.Zero)
                : new IssuedToken(new SecretValue("token\r\nX-Injected: 1"), null, context.TimeProvider.GetUtcNow().AddHours(1), TimeSpan.FromHours(1)));
    }

    private sealed class ThrowingHeadersKind() : CredentialKind(KindName, [CredentialField.Endpoint(CredentialField.ApiEndpointName, isRequired: true), CredentialField.Secret("key", isRequired: true)])
    {
        public const string KindName = "throwing_headers";
        public const string Leak = "LEAK-host-kind-secret";

        protected internal override void AddHeaders(CredentialValues values, CredentialHeaders headers)
        {
            // Passes the save-time probe (placeholder secrets), fails with the real one, and puts it in its message.
            if (values.GetSecret("key")!.Reveal() != "placeholder")
            {
                throw new FormatException($"{Leak}: cannot use {values.GetSecret("key")!.Reveal()}");
            }

            headers.Add("X-Key", values.GetSecret("key")!.Reveal());
        }
    }
}
