using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>What the benchmarks share: test keys, a company, an MFA verifier and a token endpoint stand-in.</summary>
internal static class Bench
{
    public const string KeyId = "bench-kek";
    public const string Key = "gDtg+ukqKBtVRlNfUj2sP0kSb1Dj4wMajFM9fmz8DBE=";
    public const string CompanyId = "AE-100234567800003";
    public const string ApiKeyCompanyId = "AE-100234567800011";
    public static readonly Uri TokenEndpoint = new("https://auth.bench.example/token");
    public static readonly Uri ApiEndpoint = new("https://api.bench.example/v1/invoices");

    public static CredentialVault Vault() => new(new FixedKeys(new KeyEncryptionKeyRing(KeyId, [new(KeyId, Convert.FromBase64String(Key))])));

    /// <summary>A container with the library, in-memory storage and a token endpoint that answers at once and counts.</summary>
    public static ServiceProvider Services(TokenEndpointStub tokens, ICredentialRepository? repository = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IMfaVerifier, AlwaysFresh>();
        var builder = services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = KeyId;
            vault.Keys[KeyId] = Key;
        }).ConfigureOAuth(o => o.CredentialRecheckInterval = TimeSpan.FromHours(1));
        if (repository is null)
        {
            builder.UseInMemoryCredentialRepository();
        }
        else
        {
            services.AddSingleton(repository);
        }

        services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => tokens);
        return services.BuildServiceProvider();
    }

    public static Task SetCredentialsAsync(IServiceProvider services, string companyId)
        => services.GetRequiredService<CredentialStore>().SetAsync(
            companyId,
            new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }.WithSetting(OAuthClientCredentialsKind.ClientId, "client-" + companyId).WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("bench-secret-" + companyId)).WithSetting(OAuthClientCredentialsKind.TokenEndpoint, TokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, ApiEndpoint),
            new CredentialChangeContext("bench", new MfaProof("totp", new SecretValue("000000"))));

    /// <summary>Stores an API-key company: the key in <c>X-API-Key</c> (the default header), sent to <see cref="ApiEndpoint"/>.</summary>
    public static Task SetApiKeyAsync(IServiceProvider services, string companyId)
        => services.GetRequiredService<CredentialStore>().SetAsync(
            companyId,
            new CredentialUpdate { Kind = ApiKeyKind.KindName, Environment = TransmissionEnvironment.Production }.WithSecret(ApiKeyKind.ApiKey, new SecretValue("bench-key-" + companyId)).WithSetting(ApiKeyKind.ApiEndpoint, ApiEndpoint),
            new CredentialChangeContext("bench", new MfaProof("totp", new SecretValue("000000"))));

    private sealed class FixedKeys(KeyEncryptionKeyRing ring) : IKeyEncryptionKeyProvider
    {
        public KeyEncryptionKeyRing GetKeyRing() => ring;
    }

    internal sealed class AlwaysFresh(TimeProvider time) : IMfaVerifier
    {
        public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
            => Task.FromResult(MfaVerificationResult.Verified(time.GetUtcNow()));
    }
}

/// <summary>A token endpoint that answers every request at once with a day-long token, counting the requests.</summary>
internal sealed class TokenEndpointStub : HttpMessageHandler
{
    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _requests);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($"{{\"access_token\":\"bench-token-{n}\",\"token_type\":\"Bearer\",\"expires_in\":86400}}", Encoding.UTF8, "application/json"),
        });
    }
}
