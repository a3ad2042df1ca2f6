using System.Net;
using System.Text;
using System.Text.Json;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>
/// Acceptance of the open credential model: a host adds its own kind (<see cref="KsefStyleKind"/>, written in this
/// test project against the public API) with <c>AddCredentialKind&lt;TKind&gt;()</c>, and its credentials are stored,
/// shown, sealed, rotated, audited, attached and refreshed by the library unchanged — over real sockets to a
/// KSeF-style platform on 127.0.0.1 (<see cref="KsefApiStub"/>), with a fake clock.
/// </summary>
public sealed class KsefStyleKindTests
{
    /// <summary>The company's KSeF token, distinctive so that any copy of it is found.</summary>
    private const string Canary = "CANARY-ksef-token-7f3a";

    private const string CompanyId = "PL-5260250274";

    /// <summary>A NIP with a valid check digit.</summary>
    private const string Nip = "5260250274";

    /// <summary>KSeF's TR (demo) environment.</summary>
    private static readonly TransmissionEnvironment KsefDemo = new("ksef-demo");

    [Fact]
    public async Task HostKind_SetShowSendAndRefresh_LogsInOnceThenRefreshesWithTheRefreshTokenAfterTheRefreshTime()
    {
        var clock = Some.Clock();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        await using var host = KsefHost.Create(new InMemoryCredentialRepository(), clock);

        // Set, with MFA.
        await host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo), The.AdminWithMfa);
        host.Mfa.Calls.Should().Be(1, "a change of credentials needs a multi-factor proof");

        // The status shows the kind, its settings and that the secret is stored; never the secret.
        var status = (await host.Store.GetStatusAsync(CompanyId))!;
        status.Kind.Should().Be(KsefStyleKind.KindName);
        status.Environment.Should().Be(KsefDemo);
        status.IsConfigured.Should().BeTrue();
        status.Settings.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            [KsefStyleKind.ApiEndpoint] = ksef.ApiBase.AbsoluteUri,
            [KsefStyleKind.ContextNip] = Nip,
        });
        status.HasSecret(KsefStyleKind.KsefToken).Should().BeTrue();
        status.SecretNames.Should().Equal(KsefStyleKind.KsefToken);
        AssertNoCanary(status.ToString(), JsonSerializer.Serialize(status));

        // A request: challenge, proof of the KSeF token, then the exact access token on the API call.
        using (var response = await host.SendAsync(ksef.Invoices))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        ksef.ApiAuthorizations.Should().Equal("Bearer ksef-access-1");
        (ksef.ChallengeCalls, ksef.LoginCalls, ksef.RefreshCalls).Should().Be((1, 1, 0));
        (await host.Store.GetStatusAsync(CompanyId))!.AccessTokenExpiresAt.Should().Be(The.Now + ksef.AccessTokenLifetime);

        // Before the refresh time (15 min token, refreshed 5 min before expiry): the cached token, nothing asked.
        clock.Advance(TimeSpan.FromMinutes(9));
        (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-1");
        (ksef.ChallengeCalls, ksef.LoginCalls, ksef.RefreshCalls).Should().Be((1, 1, 0));

        // Past the refresh time: the next request starts a refresh in the background with the refresh token.
        clock.Advance(TimeSpan.FromMinutes(2));
        (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-1", "the current token is still valid while the refresh runs");
        await Eventually.TrueAsync(() => ksef.RefreshCalls == 1, "the refresh endpoint was called");
        await Eventually.TrueAsync(() => SendAsync(host, ksef).Result == "Bearer ksef-access-2", "the refreshed token is in use");
        (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-2");

        ksef.RefreshAuthorizations.Should().Equal(["Bearer ksef-refresh-1"], "the refresh sends the refresh token issued at login");
        ksef.RefreshCalls.Should().Be(1, "exactly one refresh");
        (ksef.ChallengeCalls, ksef.LoginCalls).Should().Be((1, 1), "no second login");
    }

    [Fact]
    public async Task HostKind_RefreshTokenRefusedWith400_LogsInAgainAndTheRequestSucceedsWithTheNewToken()
    {
        var clock = Some.Clock();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        await using var host = KsefHost.Create(new InMemoryCredentialRepository(), clock);
        await host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo), The.AdminWithMfa);
        (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-1");

        // The refresh token is revoked, and the access token has expired: this request needs a new one at once.
        ksef.RevokeRefreshTokens();
        clock.Advance(ksef.AccessTokenLifetime + TimeSpan.FromMinutes(1));
        using (var response = await host.SendAsync(ksef.Invoices))
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK, "the library logged in again after the refresh was refused");
        }

        ksef.ApiAuthorizations.Last().Should().Be("Bearer ksef-access-2");
        ksef.RefreshAuthorizations.Should().Equal(["Bearer ksef-refresh-1"], "the refresh was tried first, once");
        (ksef.ChallengeCalls, ksef.LoginCalls).Should().Be((2, 2), "then a full login: a new challenge and a new proof");
        ksef.ErrorBodies.Should().ContainSingle(b => b.Contains("21304", StringComparison.Ordinal), "the platform answered 400 to the refresh");

        // The new login's refresh token is the one used next.
        clock.Advance(TimeSpan.FromMinutes(11));
        await SendAsync(host, ksef);
        await Eventually.TrueAsync(() => ksef.RefreshCalls == 2, "the next refresh ran");
        ksef.RefreshAuthorizations.Last().Should().Be("Bearer ksef-refresh-2");
    }

    [Fact]
    public async Task HostKind_KeysRotated_KsefTokenMovesToTheNewKeyAndAHostWithOnlyTheNewKeyLogsInThenDeletes()
    {
        var clock = Some.Clock();
        var repository = new InMemoryCredentialRepository();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);

        // Stored and used under the original key.
        await using (var host = KsefHost.Create(repository, clock))
        {
            await host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo), The.AdminWithMfa);
            (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-1");
        }

        var before = (await repository.GetAsync(CompanyId))!;
        CredentialVault.GetKeyId(before.Secrets[KsefStyleKind.KsefToken]).Should().Be(The.KeyId);

        // The ring of Some.RotatedVault(): both keys, the new one active.
        await using (var host = KsefHost.Create(repository, clock, options =>
        {
            options.Keys[The.KeyId] = The.Key;
            options.Keys[The.NewKeyId] = The.NewKey;
            options.ActiveKeyId = The.NewKeyId;
        }))
        {
            var result = await host.Store.RewrapAllAsync();
            result.Rewrapped.Should().Be(1);
            result.FailedCompanyIds.Should().BeEmpty();
        }

        var after = (await repository.GetAsync(CompanyId))!;
        CredentialVault.GetKeyId(after.Secrets[KsefStyleKind.KsefToken]).Should().Be(The.NewKeyId);
        new[] { after.AccessToken, after.RefreshToken, after.DestinationSeal }.Should().OnlyContain(e => e != null && CredentialVault.GetKeyId(e) == The.NewKeyId);

        // Eight days later (KSeF refresh tokens live at most seven), a host that knows only the new key: the stored
        // refresh token opens and is tried, is refused, and the KSeF token opens for a full login.
        clock.Advance(TimeSpan.FromDays(8));
        await using (var host = KsefHost.Create(repository, clock, options =>
        {
            options.Keys[The.NewKeyId] = The.NewKey;
            options.ActiveKeyId = The.NewKeyId;
        }))
        {
            (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-2");
            ksef.RefreshAuthorizations.Should().Equal(["Bearer ksef-refresh-1"]);
            (ksef.ChallengeCalls, ksef.LoginCalls).Should().Be((2, 2), "the server accepted the proof made with the rewrapped KSeF token");
            (await host.Store.GetStatusAsync(CompanyId))!.IsConfigured.Should().BeTrue();

            (await host.Store.DeleteAsync(CompanyId, The.AdminWithMfa)).Should().BeTrue();

            (await host.Store.GetStatusAsync(CompanyId)).Should().BeNull();
            (await repository.GetAsync(CompanyId)).Should().BeNull();
            var send = () => host.SendAsync(ksef.Invoices);
            (await send.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.CredentialsNotFound);
            (await host.Store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue("the rotation vouched for the entries under the old key");
        }

        ksef.ApiAuthorizations.Should().HaveCount(2, "nothing went to the API after the deletion");
    }

    [Fact]
    public async Task HostKind_AuditTrail_NamesKsefTokenOnCreationUpdateAndRefusalAndNeverHoldsItsValue()
    {
        const string NextToken = "CANARY-ksef-token-next-91b2";
        var clock = Some.Clock();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        await using var host = KsefHost.Create(new InMemoryCredentialRepository(), clock);

        await host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo), The.AdminWithMfa);
        var secretOnly = new CredentialUpdate().WithSecret(KsefStyleKind.KsefToken, new SecretValue(NextToken));
        await host.Store.SetAsync(CompanyId, secretOnly, The.AdminWithMfa);
        var refused = () => host.Store.SetAsync(CompanyId, secretOnly, new CredentialChangeContext("intruder@erp.example", null));
        await refused.Should().ThrowAsync<CredentialChangeRefusedException>();

        var verified = await host.Store.VerifyAuditTrailAsync();
        verified.IsIntact.Should().BeTrue();
        verified.EntryCount.Should().Be(3);

        var entries = await host.Services.GetRequiredService<IAuditTrailRepository>().ReadAuditAsync(0, 100);
        entries.Should().HaveCount(3);
        var created = entries[0];
        created.Action.Should().Be(AuditAction.CredentialsCreated);
        created.Outcome.Should().Be(AuditOutcome.Succeeded);
        created.CompanyId.Should().Be(CompanyId);
        created.Actor.Should().Be(The.Admin);
        created.MfaMethod.Should().Be("totp");
        created.Fields.Should().Contain([KsefStyleKind.KsefToken, KsefStyleKind.ApiEndpoint, KsefStyleKind.ContextNip]);

        entries[1].Action.Should().Be(AuditAction.CredentialsUpdated);
        entries[1].Fields.Should().Equal([KsefStyleKind.KsefToken], "a change of the secret alone names the secret alone");

        entries[2].Outcome.Should().Be(AuditOutcome.Refused);
        entries[2].Actor.Should().Be("intruder@erp.example");
        entries[2].Fields.Should().Equal(KsefStyleKind.KsefToken);

        AssertNoCanary(entries.SelectMany(e => new[] { e.ToString(), JsonSerializer.Serialize(e) }).Prepend(JsonSerializer.Serialize(verified)).ToArray());
        AssertAbsent(NextToken, entries.SelectMany(e => new[] { e.ToString(), JsonSerializer.Serialize(e) }));
    }

    [Fact]
    public async Task HostKind_CanaryKsefToken_AppearsInNoLogExceptionStatusAuditEntryOrStorage()
    {
        var clock = Some.Clock();
        var repository = new InMemoryCredentialRepository();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        var evidence = new LeakEvidence([Canary]);
        await using (var host = KsefHost.Create(repository, clock))
        {
            evidence.Logs.Add(host.Logs);
            var update = ksef.Credentials(KsefDemo);
            evidence.Add(update, await host.Store.SetAsync(CompanyId, update, The.AdminWithMfa), await host.Store.GetStatusAsync(CompanyId));
            evidence.Add([.. host.Services.GetServices<CredentialKind>()]);

            // It works: the platform checked the proof made with the canary.
            (await SendAsync(host, ksef)).Should().Be("Bearer ksef-access-1");
            evidence.Add(await host.Tester.TestAsync(CompanyId));

            // The platform fails, echoing the token: 500 to the refresh, 503 to the login.
            ksef.Fault = path => path switch
            {
                KsefApiStub.RefreshPath => (500, KsefApiStub.ErrorBody(500, $"Internal error; token {Canary} not found"), null),
                KsefApiStub.LoginPath => (503, KsefApiStub.ErrorBody(503, $"Maintenance, try {Canary} later"), new Dictionary<string, string> { ["Retry-After"] = "1" }),
                _ => null,
            };
            clock.Advance(ksef.AccessTokenLifetime + TimeSpan.FromMinutes(1));
            await evidence.CaptureAsync(() => host.SendAsync(ksef.Invoices));
            evidence.Add(await host.Tester.TestAsync(CompanyId));

            // Then it refuses the token, echoing it: a permanent failure, recorded on the row by the connection test.
            ksef.Fault = path => path == KsefApiStub.LoginPath ? (401, KsefApiStub.ErrorBody(21301, $"Token {Canary} is not valid for context {Nip}"), null) : null;
            var refused = await host.Tester.TestAsync(CompanyId);
            refused.Succeeded.Should().BeFalse();
            evidence.Add(refused);
            clock.Advance(TimeSpan.FromMinutes(2));
            await evidence.CaptureAsync(() => host.SendAsync(ksef.Invoices));
            evidence.Add(await host.Store.GetStatusAsync(CompanyId));

            evidence.Add(await host.Store.VerifyAuditTrailAsync());
            evidence.AuditEntries.AddRange(await host.Services.GetRequiredService<IAuditTrailRepository>().ReadAuditAsync(0, 100));
            var row = (await repository.GetAsync(CompanyId))!;
            row.Settings.Values.Should().NotContain(v => v.Contains(Canary, StringComparison.Ordinal));
            row.LastTestError.Should().NotBeNull("the refused connection test was recorded on the row");
            evidence.RawStorage = await InMemoryStorage.DumpAsync(repository);

            evidence.Add(await host.Store.DeleteAsync(CompanyId, The.AdminWithMfa));
            evidence.RawStorage += await InMemoryStorage.DumpAsync(repository);
        }

        ksef.ErrorBodies.Should().Contain(b => b.Contains(Canary, StringComparison.Ordinal), "the platform did echo the token");
        evidence.Exceptions.Should().HaveCount(2).And.AllBeOfType<OAuthTokenException>();
        evidence.AssertNoCanary();
    }

    public static TheoryData<string> EchoedForms => ["as stored", "upper case", "Base64"];

    [Theory]
    [MemberData(nameof(EchoedForms))]
    public async Task HostKind_LoginRefusedWith401EchoingTheToken_CallerSeesTheDescriptionWithoutTheToken(string form)
    {
        var echoed = form switch
        {
            "upper case" => Canary.ToUpperInvariant(),
            "Base64" => Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary)),
            _ => Canary,
        };
        var clock = Some.Clock();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        await using var host = KsefHost.Create(new InMemoryCredentialRepository(), clock);
        await host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo), The.AdminWithMfa);
        ksef.Fault = path => path == KsefApiStub.LoginPath
            ? (401, KsefApiStub.ErrorBody(21301, $"Token {echoed} is not valid for context {Nip}"), null)
            : null;

        var send = () => host.SendAsync(ksef.Invoices);

        var error = (await send.Should().ThrowAsync<OAuthTokenException>()).Which;
        ksef.ErrorBodies.Should().ContainSingle().Which.Should().Contain(echoed, "the platform echoed the token");
        error.CompanyId.Should().Be(CompanyId);
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        error.IsTransient.Should().BeFalse();
        error.ErrorDescription.Should().Contain("is not valid for context " + Nip, "the kind's description is shown, scrubbed rather than dropped")
            .And.Contain(SecretValue.RedactedText);
        AssertNoCanary(error.Message, error.ErrorDescription!, error.ToString());
        AssertNoCanary(host.Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception).ToArray());
        ksef.ApiAuthorizations.Should().BeEmpty("no request went out without its token");
    }

    [Fact]
    public async Task SetAsync_HostKindValidation_RefusesABadNipAndAMissingTokenBeforeAskingForMfa()
    {
        var clock = Some.Clock();
        await using var ksef = new KsefApiStub(clock, Canary, Nip);
        await using var host = KsefHost.Create(new InMemoryCredentialRepository(), clock);

        var badNip = () => host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo).WithSetting(KsefStyleKind.ContextNip, "5260250275"), The.AdminWithMfa);
        var noToken = () => host.Store.SetAsync(CompanyId, ksef.Credentials(KsefDemo).WithSecret(KsefStyleKind.KsefToken, null), The.AdminWithMfa);

        (await badNip.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(KsefStyleKind.ContextNip);
        (await noToken.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(KsefStyleKind.KsefToken);
        host.Mfa.Calls.Should().Be(0, "a change the kind refuses never uses up a proof");
        (await host.Store.GetStatusAsync(CompanyId)).Should().BeNull();
    }

    /// <summary>Sends one API request and returns the <c>Authorization</c> the platform received with it.</summary>
    private static async Task<string?> SendAsync(KsefHost host, KsefApiStub ksef)
    {
        var before = ksef.ApiAuthorizations.Count;
        using var response = await host.SendAsync(ksef.Invoices);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ksef.ApiAuthorizations.Should().HaveCount(before + 1);
        return ksef.ApiAuthorizations.Last();
    }

    private static void AssertNoCanary(params string[] texts) => AssertAbsent(Canary, texts);

    /// <summary>Neither the secret nor its Base64 form, in any letter case, appears in any of the texts.</summary>
    private static void AssertAbsent(string secret, IEnumerable<string> texts)
    {
        var forms = new[] { secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)) };
        foreach (var text in texts)
        {
            foreach (var form in forms)
            {
                text.Should().NotContainEquivalentOf(form);
            }
        }
    }

    /// <summary>
    /// The library as a host registers it, with its own kind: <c>AddEInvoiceTransmission(keys).AddCredentialKind&lt;KsefStyleKind&gt;()</c>,
    /// the real primary handlers, plain http to loopback allowed, a fake clock and a fake logger at Trace.
    /// </summary>
    private sealed class KsefHost : IAsyncDisposable
    {
        private const string ApiClientName = "ksef-api";

        private KsefHost(ServiceProvider services, FakeLogCollector logs, TestMfaVerifier mfa)
        {
            Services = services;
            Logs = logs;
            Mfa = mfa;
        }

        public ServiceProvider Services { get; }

        public FakeLogCollector Logs { get; }

        public TestMfaVerifier Mfa { get; }

        public CredentialStore Store => Services.GetRequiredService<CredentialStore>();

        public CredentialConnectionTester Tester => Services.GetRequiredService<CredentialConnectionTester>();

        public static KsefHost Create(InMemoryCredentialRepository repository, FakeTimeProvider clock, Action<CredentialVaultOptions>? vault = null)
        {
            var logs = new FakeLogCollector();
            var mfa = new TestMfaVerifier(clock);
            var services = new ServiceCollection();
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IMfaVerifier>(mfa);
            services.AddSingleton<ICredentialRepository>(repository);
            services.AddEInvoiceTransmission(vault ?? (options =>
                {
                    options.ActiveKeyId = The.KeyId;
                    options.Keys[The.KeyId] = The.Key;
                }))
                .AddCredentialKind<KsefStyleKind>()
                .ConfigureCredentialStore(options => options.AllowHttpOnLoopback = true)
                .ConfigureOAuth(options => options.CredentialRecheckInterval = TimeSpan.FromHours(1));
            services.AddHttpClient(ApiClientName).AddEInvoiceAuthentication(KsefDemo);
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
            provider.GetRequiredService<IStartupValidator>().Validate();
            return new KsefHost(provider, logs, mfa);
        }

        public async Task<HttpResponseMessage> SendAsync(Uri uri)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.SetCompanyId(CompanyId);
            return await Services.GetRequiredService<IHttpClientFactory>().CreateClient(ApiClientName).SendAsync(request);
        }

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }
}
