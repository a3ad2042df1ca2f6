using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// The library as a host runs it, with the real primary handlers (no MockHttp) talking to
/// <see cref="LoopbackHttpServer"/>s, plain http allowed to loopback only, over a given repository.
/// </summary>
public sealed class LiveHost : IAsyncDisposable
{
    public const string ApiClientName = "live-api";

    private LiveHost(ServiceProvider services, FakeLogCollector logs)
    {
        Services = services;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public FakeLogCollector Logs { get; }

    public CredentialStore Store => Services.GetRequiredService<CredentialStore>();

    public CredentialConnectionTester Tester => Services.GetRequiredService<CredentialConnectionTester>();

    /// <param name="repository">The storage.</param>
    /// <param name="configure">Changes to the services after the library and the API client are registered (a host's own primary handler, say).</param>
    public static LiveHost Create(ICredentialRepository repository, Action<IServiceCollection, IHttpClientBuilder>? configure = null)
    {
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddSingleton<IMfaVerifier>(new TestMfaVerifier(TimeProvider.System));
        services.AddSingleton(repository);
        services.AddEInvoiceTransmission(options =>
            {
                options.ActiveKeyId = The.KeyId;
                options.Keys[The.KeyId] = The.Key;
            })
            .ConfigureCredentialStore(options => options.AllowHttpOnLoopback = true);
        var api = services.AddHttpClient(ApiClientName).AddEInvoiceAuthentication(TransmissionEnvironment.Production);
        configure?.Invoke(services, api);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        return new LiveHost(provider, logs);
    }

    /// <summary>Direct credentials whose token endpoint and API live on <paramref name="platform"/>.</summary>
    public static CredentialUpdate DirectOn(LoopbackHttpServer platform, string clientSecret = The.ClientSecret) => The.DirectCredentials
        .WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(clientSecret))
        .WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri(platform.BaseUri, "token"))
        .WithSetting(OAuthClientCredentialsKind.ApiEndpoint, new Uri(platform.BaseUri, "api/"));

    /// <summary>ASP credentials whose endpoint lives on <paramref name="platform"/>.</summary>
    public static CredentialUpdate AspOn(LoopbackHttpServer platform) => The.AspCredentials.WithSetting(ApiKeyKind.ApiEndpoint, new Uri(platform.BaseUri, "asp/"));

    /// <summary>A platform that issues a token to <see cref="The.ClientId"/> and answers 200 to everything else.</summary>
    public static LoopbackHttpServer Platform() => new((request, _) => request.Url!.AbsolutePath == "/token"
        ? (200, """{"access_token":"live-token","token_type":"Bearer","expires_in":3600}""", null)
        : (200, "{}", null));

    public async Task<HttpResponseMessage> SendAsync(Uri uri, string companyId = The.CompanyId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.SetCompanyId(companyId);
        return await Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClientName).SendAsync(request);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
