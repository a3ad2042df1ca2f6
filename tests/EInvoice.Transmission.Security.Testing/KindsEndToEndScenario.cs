using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Every built-in kind end to end over one storage: set with MFA → status → send through one <see cref="HttpClient"/>
/// (each API asserts the exact credential headers it received, and that no other company's arrived) → rotate keys →
/// rewrap → send again from a host that holds only the new key → delete. Every secret is a canary; the evidence is
/// searched for them at the end.
/// </summary>
public static class KindsEndToEndScenario
{
    private const string PostCompany = "E2E-OAUTH-POST";
    private const string BasicAuthCompany = "E2E-OAUTH-BASIC";
    private const string BearerKeyCompany = "E2E-APIKEY-BEARER";
    private const string HeaderKeyCompany = "E2E-APIKEY-HEADER";
    private const string ZatcaCompany = "E2E-HTTP-BASIC";
    private const string NoneCompany = "E2E-NONE";

    private static readonly Dictionary<string, string> Secrets = new()
    {
        ["post-secret"] = "CANARY-E2E-post-secret-1a2b",
        ["basic-secret"] = "CANARY-E2E-basic-secret-3c4d",
        ["cpro-account"] = "CANARY-E2E-cpro-account-5e6f",
        ["bearer-key"] = "CANARY-E2E-bearer-key-7a8b",
        ["header-key"] = "CANARY-E2E-header-key-9c0d",
        ["subscription"] = "CANARY-E2E-subscription-1e2f",
        ["zatca-password"] = "CANARY-E2E-zatca-password-3a4b",
        ["post-token"] = "CANARY-E2E-post-token-5c6d",
        ["basic-token"] = "CANARY-E2E-basic-token-7e8f",
    };

    private static readonly string ZatcaUser = "TUlJQ1BUQ0NBZU9nQXdJQkFnSUdBWXk=" + new string('Q', 2000);

    /// <summary>What each company's API must receive: exactly these credential headers, and none of another company.</summary>
    private static readonly Dictionary<string, (Uri Api, Dictionary<string, string> Headers)> Expected = new()
    {
        [PostCompany] = (new Uri("https://post.api.example/v1/"), new()
        {
            ["Authorization"] = $"Bearer {Secrets["post-token"]}",
            ["cpro-account"] = Secrets["cpro-account"],
            ["X-Channel"] = "erp",
        }),
        [BasicAuthCompany] = (new Uri("https://basic.api.example/"), new() { ["Authorization"] = $"Bearer {Secrets["basic-token"]}" }),
        [BearerKeyCompany] = (new Uri("https://bearer.asp.example/"), new() { ["Authorization"] = $"Bearer {Secrets["bearer-key"]}" }),
        [HeaderKeyCompany] = (new Uri("https://header.asp.example/"), new()
        {
            ["Ocp-Apim-Subscription-Key"] = Secrets["subscription"],
            ["X-Api-Token"] = $"ApiKey {Secrets["header-key"]}",
            ["aade-user-id"] = "erp-user",
        }),
        [ZatcaCompany] = (new Uri("https://gw-fatoora.zatca.example/e-invoicing/core/"), new()
        {
            ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ZatcaUser}:{Secrets["zatca-password"]}")),
            ["Accept-Version"] = "V2",
        }),
    };

    private static readonly string[] CredentialHeaderNames = ["Authorization", "cpro-account", "X-Channel", "Ocp-Apim-Subscription-Key", "X-Api-Token", "aade-user-id", "Accept-Version", "X-API-Key"];

    public static async Task<LeakEvidence> RunAsync(ICredentialRepository repository, Func<Task<string>> readRawStorage)
    {
        var canaries = Secrets.Values.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes($"post-client:{Secrets["post-secret"]}")))
            .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes($"basic-client:{Secrets["basic-secret"]}")))
            .Append(Expected[ZatcaCompany].Headers["Authorization"][6..])
            .ToList();
        var evidence = new LeakEvidence(canaries);
        var clock = Some.Clock();
        var received = new ConcurrentQueue<(string Api, Dictionary<string, string> Headers)>();
        var tokenRequests = new ConcurrentQueue<(string Endpoint, string? Authorization, string Body, string? OnBehalfOf)>();

        using var http = new MockHttpMessageHandler();
        foreach (var (company, token, tokenHost) in new[] { (PostCompany, Secrets["post-token"], "post"), (BasicAuthCompany, Secrets["basic-token"], "basic") })
        {
            http.When(HttpMethod.Post, $"https://{tokenHost}.idp.example/connect/token").Respond(async request =>
            {
                tokenRequests.Enqueue((request.RequestUri!.Host, request.Headers.Authorization?.ToString(), await request.Content!.ReadAsStringAsync(), request.Headers.TryGetValues("onbehalfof", out var v) ? string.Join(",", v) : null));
                return TokenResponses.Token(token, 3600);
            });
        }

        foreach (var (company, (api, _)) in Expected)
        {
            http.When(api.AbsoluteUri + "*").Respond(request =>
            {
                received.Enqueue((api.Host, CredentialHeaderNames.Where(request.Headers.Contains).ToDictionary(n => n, n => string.Join(",", request.Headers.GetValues(n)))));
                return new HttpResponseMessage(HttpStatusCode.OK);
            });
        }

        http.When("https://sandbox.api.example/*").Respond(request =>
        {
            received.Enqueue(("sandbox.api.example", CredentialHeaderNames.Where(request.Headers.Contains).ToDictionary(n => n, n => string.Join(",", request.Headers.GetValues(n)))));
            return new HttpResponseMessage(HttpStatusCode.OK);
        });

        var updates = Updates();
        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Http(http).Start())
        {
            evidence.Logs.Add(host.Logs);
            foreach (var (company, update) in updates)
            {
                evidence.Add(update, await host.Store.SetAsync(company, update, The.AdminWithMfa));
            }

            // Status: kind, settings, which secrets, never a value.
            var status = (await host.Store.GetStatusAsync(HeaderKeyCompany))!;
            status.Kind.Should().Be(ApiKeyKind.KindName);
            status.SecretNames.Should().BeEquivalentTo([ApiKeyKind.ApiKey, "header.Ocp-Apim-Subscription-Key"]);
            status.GetSetting(ApiKeyKind.HeaderName).Should().Be("X-Api-Token");
            (await host.Store.GetStatusAsync(ZatcaCompany))!.Should().BeEquivalentTo(new { Kind = HttpBasicKind.KindName, IsConfigured = true, IsDestinationIntact = true });
            foreach (var company in updates.Keys)
            {
                evidence.Add(await host.Store.GetStatusAsync(company));
            }

            await SendEachAsync(host, received);

            // The token requests: per company its own client authentication, parameters and headers.
            tokenRequests.Should().HaveCount(2);
            var post = tokenRequests.Single(r => r.Endpoint == "post.idp.example");
            post.Authorization.Should().BeNull("client_secret_post sends the secret in the body");
            post.Body.Should().Contain("client_id=post-client").And.Contain("client_secret=" + Secrets["post-secret"]).And.Contain("audience=einvoice");
            post.OnBehalfOf.Should().Be("C25845632020");
            var basic = tokenRequests.Single(r => r.Endpoint == "basic.idp.example");
            basic.Authorization.Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"basic-client:{Secrets["basic-secret"]}")));
            basic.Body.Should().NotContain("client_secret").And.NotContain(Secrets["basic-secret"]);
            basic.OnBehalfOf.Should().BeNull();
        }

        // Rotation: a second key becomes active, every envelope moves to it; a host that holds only the new key serves
        // every company again.
        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Http(http).Vault(Keys((The.KeyId, The.Key), (The.NewKeyId, The.NewKey))).Start())
        {
            evidence.Logs.Add(host.Logs);
            var result = await host.Store.RewrapAllAsync();
            result.FailedCompanyIds.Should().BeEmpty();
            foreach (var row in await repository.ListAsync(null, 100))
            {
                row.Secrets.Values.Append(row.DestinationSeal!).Concat(new[] { row.AccessToken, row.RefreshToken }.OfType<byte[]>())
                    .Select(e => CredentialVault.GetKeyId(e)).Should().OnlyContain(id => id == The.NewKeyId, "every envelope of {0} moved", row.CompanyId);
            }
        }

        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Http(http).Vault(Keys((The.NewKeyId, The.NewKey))).Start())
        {
            evidence.Logs.Add(host.Logs);
            received.Clear();
            await SendEachAsync(host, received);
        }

        // No credentials in the Sandbox: the request goes out with none.
        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Http(http).Environment(TransmissionEnvironment.Sandbox).Vault(Keys((The.NewKeyId, The.NewKey))).Start())
        {
            evidence.Logs.Add(host.Logs);
            received.Clear();
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://sandbox.api.example/invoices");
            request.SetCompanyId(NoneCompany);
            (await host.Api().SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
            received.Should().ContainSingle().Which.Headers.Should().BeEmpty();

            evidence.AuditEntries.AddRange(await host.Store.ReadAuditTrailAsync(0, 10_000));
            evidence.RawStorage = await readRawStorage();
            foreach (var company in updates.Keys)
            {
                (await host.Store.DeleteAsync(company, The.AdminWithMfa)).Should().BeTrue();
                (await host.Store.GetStatusAsync(company)).Should().BeNull();
            }

            (await host.Store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
            evidence.Add(evidence.AuditEntries.ToArray());
        }

        return evidence;
    }

    private static Dictionary<string, CredentialUpdate> Updates()
    {
        static CredentialUpdate Of(string kind, TransmissionEnvironment? environment = null) => new() { Kind = kind, Environment = environment ?? TransmissionEnvironment.Production };
        return new()
        {
            // Chorus Pro style: OAuth (secret in the body) plus a secret technical-account header; MyInvois' onbehalfof.
            [PostCompany] = Of(OAuthClientCredentialsKind.KindName)
                .WithSetting(OAuthClientCredentialsKind.ClientId, "post-client")
                .WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(Secrets["post-secret"]))
                .WithSetting(OAuthClientCredentialsKind.TokenEndpoint, "https://post.idp.example/connect/token")
                .WithSetting(OAuthClientCredentialsKind.ApiEndpoint, Expected[PostCompany].Api)
                .WithSetting(OAuthClientCredentialsKind.ClientAuthentication, OAuthClientCredentialsKind.ClientSecretPost)
                .WithSetting("token_param.audience", "einvoice")
                .WithSetting("token_header.onbehalfof", "C25845632020")
                .WithSetting("header.X-Channel", "erp")
                .WithSecret("header.cpro-account", new SecretValue(Secrets["cpro-account"])),

            // Egypt ETA style: client_secret_basic.
            [BasicAuthCompany] = Of(OAuthClientCredentialsKind.KindName)
                .WithSetting(OAuthClientCredentialsKind.ClientId, "basic-client")
                .WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(Secrets["basic-secret"]))
                .WithSetting(OAuthClientCredentialsKind.TokenEndpoint, "https://basic.idp.example/connect/token")
                .WithSetting(OAuthClientCredentialsKind.ApiEndpoint, Expected[BasicAuthCompany].Api)
                .WithSetting(OAuthClientCredentialsKind.ClientAuthentication, OAuthClientCredentialsKind.ClientSecretBasic),

            [BearerKeyCompany] = Of(ApiKeyKind.KindName)
                .WithSecret(ApiKeyKind.ApiKey, new SecretValue(Secrets["bearer-key"]))
                .WithSetting(ApiKeyKind.ApiEndpoint, Expected[BearerKeyCompany].Api)
                .WithSetting(ApiKeyKind.HeaderName, "Authorization")
                .WithSetting(ApiKeyKind.Scheme, "Bearer"),

            // Greece myDATA style: a subscription key and a user id, and here an API key under a scheme in its own header.
            [HeaderKeyCompany] = Of(ApiKeyKind.KindName)
                .WithSecret(ApiKeyKind.ApiKey, new SecretValue(Secrets["header-key"]))
                .WithSetting(ApiKeyKind.ApiEndpoint, Expected[HeaderKeyCompany].Api)
                .WithSetting(ApiKeyKind.HeaderName, "X-Api-Token")
                .WithSetting(ApiKeyKind.Scheme, "ApiKey")
                .WithSetting(ApiKeyKind.Identifier, "erp-user")
                .WithSetting(ApiKeyKind.IdentifierHeader, "aade-user-id")
                .WithSecret("header.Ocp-Apim-Subscription-Key", new SecretValue(Secrets["subscription"])),

            // Saudi ZATCA style: Basic with a long Base64 certificate as the user name, no token endpoint.
            [ZatcaCompany] = Of(HttpBasicKind.KindName)
                .WithSetting(HttpBasicKind.UserName, ZatcaUser)
                .WithSecret(HttpBasicKind.Password, new SecretValue(Secrets["zatca-password"]))
                .WithSetting(HttpBasicKind.ApiEndpoint, Expected[ZatcaCompany].Api)
                .WithSetting("header.Accept-Version", "V2"),

            [NoneCompany] = Of(NoCredentialsKind.KindName, TransmissionEnvironment.Sandbox)
                .WithSetting(NoCredentialsKind.ApiEndpoint, "https://sandbox.api.example/"),
        };
    }

    /// <summary>Sends one request per company through the same client, the caller's own headers set to decoys first.</summary>
    private static async Task SendEachAsync(TransmissionTestHost host, ConcurrentQueue<(string Api, Dictionary<string, string> Headers)> received)
    {
        var client = host.Api();
        foreach (var (company, (api, _)) in Expected)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, "invoices")) { Content = new StringContent("{}") };
            request.SetCompanyId(company);
            request.Headers.TryAddWithoutValidation("Ocp-Apim-Subscription-Key", "decoy-set-by-the-caller");
            (await client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK, company);
        }

        foreach (var (company, (api, headers)) in Expected)
        {
            var call = received.Where(r => r.Api == api.Host).Should().ContainSingle(company).Subject;
            var expected = new Dictionary<string, string>(headers);
            if (!expected.ContainsKey("Ocp-Apim-Subscription-Key"))
            {
                expected["Ocp-Apim-Subscription-Key"] = "decoy-set-by-the-caller";
            }

            call.Headers.Should().BeEquivalentTo(expected, "{0} receives exactly its own credentials", company);
        }
    }

    private static Action<CredentialVaultOptions> Keys(params (string Id, string Key)[] keys) => options =>
    {
        foreach (var (id, key) in keys)
        {
            options.Keys[id] = key;
        }

        options.ActiveKeyId = keys[^1].Id;
    };
}
