using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.DependencyInjection;

public sealed class EInvoiceTransmissionHttpClientBuilderExtensionsTests
{
    public sealed class InvoiceApi(HttpClient client)
    {
        public async Task<HttpStatusCode> SubmitAsync(string companyId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(The.ApiEndpoint, "invoices")) { Content = new StringContent("<Invoice/>") };
            using var response = await client.SendAsync(request.SetCompanyId(companyId));
            return response.StatusCode;
        }
    }

    private static ServiceCollection Services(MockHttpMessageHandler http)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Some.Clock());
        services.AddSingleton<IMfaVerifier>(sp => new TestMfaVerifier(sp.GetRequiredService<TimeProvider>()));
        services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = The.KeyId;
            vault.Keys[The.KeyId] = The.Key;
        }).UseInMemoryCredentialRepository();
        services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => http);
        return services;
    }

    [Fact]
    public async Task AddEInvoiceAuthentication_TypedClient_SendsWithTheCompanyToken()
    {
        using var http = new MockHttpMessageHandler();
        http.Fallback.Throw(new InvalidOperationException("unexpected request"));
        http.Expect(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("typed-token"));
        http.Expect(HttpMethod.Post, new Uri(The.ApiEndpoint, "invoices").AbsoluteUri).WithHeaders("Authorization", "Bearer typed-token").Respond(HttpStatusCode.Accepted);
        var services = Services(http);
        services.AddEInvoiceTransmission();
        services.AddHttpClient<InvoiceApi>().AddEInvoiceAuthentication(TransmissionEnvironment.Production).ConfigurePrimaryHttpMessageHandler(() => http);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        await provider.GetRequiredService<CredentialStore>().SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        var status = await provider.GetRequiredService<InvoiceApi>().SubmitAsync(The.CompanyId);

        status.Should().Be(HttpStatusCode.Accepted);
        http.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public void AddEInvoiceAuthentication_BeforeAddEInvoiceTransmission_ThrowsNamingIt()
    {
        var act = () => new ServiceCollection().AddHttpClient("api").AddEInvoiceAuthentication(TransmissionEnvironment.Production);

        act.Should().Throw<InvalidOperationException>().WithMessage("*AddEInvoiceTransmission*");
    }

    [Fact]
    public void AddEInvoiceAuthentication_OnTheTokenClient_IsRefused()
    {
        var services = new ServiceCollection();
        services.AddEInvoiceTransmission();

        var act = () => services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).AddEInvoiceAuthentication(TransmissionEnvironment.Production);

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void AddEInvoiceAuthentication_NoEnvironment_ThrowsArgumentException()
    {
        var services = new ServiceCollection();
        services.AddEInvoiceTransmission();

        var act = () => services.AddHttpClient("api").AddEInvoiceAuthentication(default);

        act.Should().Throw<ArgumentException>().WithParameterName("environment");
    }

    [Fact]
    public async Task AddEInvoiceTransmission_HostTimeProvider_IsTheOneTheLibraryUses()
    {
        using var http = new MockHttpMessageHandler();
        var clock = Some.Clock();
        var services = Services(http);
        services.AddSingleton<TimeProvider>(clock);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var status = await provider.GetRequiredService<CredentialStore>().SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        status.ConfiguredAt.Should().Be(clock.GetUtcNow());
    }

    [Fact]
    public void Validate_OAuthOptionsOutOfRange_FailsNamingTheSetting()
    {
        using var http = new MockHttpMessageHandler();
        var services = Services(http);
        services.AddEInvoiceTransmission().ConfigureOAuth(o =>
        {
            o.TokenRequestTimeout = TimeSpan.Zero;
            o.ApiKeyHeaderName = "Bad Header";
        });
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message
            .Should().Contain("EInvoiceTransmission:OAuth:TokenRequestTimeout").And.Contain("EInvoiceTransmission:OAuth:ApiKeyHeaderName");
    }
}
