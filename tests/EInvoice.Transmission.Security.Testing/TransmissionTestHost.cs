using System.Collections.Concurrent;
using System.Net;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A real container with the library registered, MockHttp as the primary handler of both the token client and an
/// API client carrying <see cref="OAuthTokenProvider"/>, a fake clock and a fake logger at Trace. Every request the
/// API receives is recorded, so tests can prove none went out without credentials.
/// </summary>
public sealed class TransmissionTestHost : IAsyncDisposable
{
    public const string ApiClientName = "transmission-api";

    private TransmissionTestHost(MockHttpMessageHandler http, TimeProvider clock, FakeLogCollector logs, ServiceProvider services, TestMfaVerifier mfa)
    {
        Http = http;
        Clock = clock;
        Logs = logs;
        Services = services;
        Mfa = mfa;
    }

    public MockHttpMessageHandler Http { get; }

    public TimeProvider Clock { get; }

    /// <summary>The clock as a <see cref="FakeTimeProvider"/>, for hosts created with one (the default).</summary>
    public FakeTimeProvider FakeClock => Clock as FakeTimeProvider
        ?? throw new InvalidOperationException("This host runs on another clock than a FakeTimeProvider; build it without With().Clock(...) or with a fake one.");

    /// <summary>The host's multi-factor verifier, which records what it was asked.</summary>
    public TestMfaVerifier Mfa { get; }

    public FakeLogCollector Logs { get; }

    public ServiceProvider Services { get; }

    public CredentialStore Store => Services.GetRequiredService<CredentialStore>();

    /// <summary>The token path's gateway of this host, over the same storage and key as <see cref="Store"/>.</summary>
    internal TokenPathGateway Gateway => Services.GetRequiredService<TokenPathGateway>();

    /// <summary>Every request the API endpoints received, with the credentials it carried.</summary>
    public ConcurrentQueue<ApiCall> ApiCalls { get; } = new();

    /// <summary>A host with every default: in-memory storage, a fake clock at <see cref="The.Now"/>, the test key.</summary>
    public static TransmissionTestHost Create() => With().Start();

    /// <summary>Starts describing a host whose storage, clock, options, HTTP or services differ from the defaults.</summary>
    public static TransmissionTestHostBuilder With() => new();

    internal static TransmissionTestHost Start(TransmissionTestHostBuilder settings)
    {
        var http = settings.HttpHandler ?? new MockHttpMessageHandler();
        http.Fallback.Throw(new InvalidOperationException("MockHttp: no expectation matched this request."));
        var clock = settings.TimeProvider ?? Some.Clock();
        var logs = new FakeLogCollector();
        var mfa = new TestMfaVerifier(clock);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddSingleton(clock);
        services.AddSingleton<IMfaVerifier>(mfa);
        var builder = services.AddEInvoiceTransmission(settings.VaultOptions ?? (options =>
        {
            options.ActiveKeyId = The.KeyId;
            options.Keys[The.KeyId] = The.Key;
        }));
        if (settings.Repository is null)
        {
            builder.UseInMemoryCredentialRepository();
        }
        else
        {
            services.AddSingleton(settings.Repository);
        }

        builder.ConfigureOAuth(options => settings.OAuthOptions?.Invoke(options));
        services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => http);
        services.AddHttpClient(ApiClientName)
            .AddEInvoiceAuthentication(settings.ClientEnvironment ?? TransmissionEnvironment.Production)
            .ConfigurePrimaryHttpMessageHandler(() => http);
        settings.ConfigureServices?.Invoke(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();
        return new TransmissionTestHost(http, clock, logs, provider, mfa);
    }

    public HttpClient Api() => Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClientName);

    /// <summary>Answers every API request under <paramref name="baseUri"/> with <paramref name="respond"/>, recording it.</summary>
    public MockedRequest ServeApi(Uri baseUri, Func<HttpRequestMessage, HttpResponseMessage>? respond = null)
        => ServeApi(baseUri, request => Task.FromResult(respond?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.OK)));

    /// <summary>Answers every API request under <paramref name="baseUri"/> with <paramref name="respond"/>, which may hold its answer back, recording it on arrival.</summary>
    public MockedRequest ServeApi(Uri baseUri, Func<HttpRequestMessage, Task<HttpResponseMessage>> respond)
        => Http.When(baseUri.AbsoluteUri + "*").Respond(request =>
        {
            ApiCalls.Enqueue(ApiCall.From(request));
            return respond(request);
        });

    public Task<CredentialStatus> SetDirectAsync(string companyId = The.CompanyId, string clientSecret = The.ClientSecret, string clientId = The.ClientId, string? scope = null)
        => Store.SetAsync(companyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientId, clientId).WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(clientSecret)).WithSetting(OAuthClientCredentialsKind.Scope, scope), The.AdminWithMfa);

    public async Task<HttpResponseMessage> SendAsync(string companyId = The.CompanyId, string path = "invoices", HttpContent? content = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(content is null ? HttpMethod.Get : HttpMethod.Post, new Uri(The.ApiEndpoint, path)) { Content = content };
        request.SetCompanyId(companyId);
        return await Api().SendAsync(request, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        Http.Dispose();
    }

    public sealed record ApiCall(Uri? Uri, string? Authorization, string? ApiKey)
    {
        public bool HasCredentials => Authorization is not null || ApiKey is not null;

        public static ApiCall From(HttpRequestMessage request) => new(
            request.RequestUri,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("X-API-Key", out var values) ? string.Join(",", values) : null);
    }
}
