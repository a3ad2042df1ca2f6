using System.Net;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderPersistenceTests
{
    [Fact]
    public async Task SendAsync_NewProviderOverTheSameStorage_ReusesThePersistedTokenWithoutATokenRequest()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using (var first = TransmissionTestHost.With().Storage(repository).Clock(clock).Start())
        {
            await first.SetDirectAsync();
            first.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("persisted-token"));
            first.ServeApi(The.ApiEndpoint);
            (await first.SendAsync()).Dispose();
        }

        clock.Advance(TimeSpan.FromMinutes(30));
        await using var second = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        second.ServeApi(The.ApiEndpoint);

        using var response = await second.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the throwing fallback would have failed any token request");
        second.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer persisted-token");
    }

    [Fact]
    public async Task SendAsync_PersistedTokenNearExpiry_IsNotReused()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using (var first = TransmissionTestHost.With().Storage(repository).Clock(clock).Start())
        {
            await first.SetDirectAsync();
            first.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("old-token"));
            first.ServeApi(The.ApiEndpoint);
            (await first.SendAsync()).Dispose();
        }

        clock.Advance(TimeSpan.FromMinutes(59));
        await using var second = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        var token = second.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("fresh-token"));
        second.ServeApi(The.ApiEndpoint);

        (await second.SendAsync()).Dispose();

        second.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer fresh-token");
    }

    [Fact]
    public async Task SendAsync_AfterACredentialChange_UsesANewTokenFromTheNewSecret()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret).Respond(_ => TokenResponses.Token("old-secret-token"));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "rotated-secret").Respond(_ => TokenResponses.Token("new-secret-token"));
        host.ServeApi(The.ApiEndpoint);
        (await host.SendAsync()).Dispose();

        await host.Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")), The.AdminWithMfa);
        (await host.SendAsync()).Dispose();

        host.ApiCalls.Select(c => c.Authorization).Should().Equal("Bearer old-secret-token", "Bearer new-secret-token");
    }

    [Theory]
    [InlineData(Fault.AfterCommit)]
    [InlineData(Fault.BeforeWrite)]
    public async Task SendAsync_AfterAChangeWhoseOutcomeIsUnknown_ReadsStorageAgainInsteadOfKeepingTheOldToken(Fault fault)
    {
        var plan = new FaultPlan();
        await using var host = TransmissionTestHost.With().Storage(new FaultyInMemoryRepository(plan)).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret).Respond(_ => TokenResponses.Token("old-secret-token"));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "rotated-secret").Respond(_ => TokenResponses.Token("new-secret-token"));
        host.ServeApi(The.ApiEndpoint);
        (await host.SendAsync()).Dispose();

        plan.Arm(fault, FaultTarget.CredentialWrite);
        var change = () => host.Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret")), The.AdminWithMfa);
        await change.Should().ThrowAsync<InjectedFaultException>("the caller is told the write failed");
        (await host.SendAsync()).Dispose();

        // The fake clock never reaches the re-check interval: only a fresh read of storage can explain the outcome.
        var expected = fault == Fault.AfterCommit ? "Bearer new-secret-token" : "Bearer old-secret-token";
        host.ApiCalls.Select(c => c.Authorization).Should().Equal(["Bearer old-secret-token", expected], "the stored secret decides, whatever the caller was told");
    }

    [Fact]
    public async Task SendAsync_CredentialsChangedByAnotherProcess_NewTokenWithinTheRecheckInterval()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var other = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        await using var host = TransmissionTestHost.With().Storage(repository).Clock(clock).OAuth(o => o.CredentialRecheckInterval = TimeSpan.FromMinutes(1)).Start();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", The.ClientSecret).Respond(_ => TokenResponses.Token("old-secret-token"));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).WithFormData("client_secret", "rotated-elsewhere").Respond(_ => TokenResponses.Token("new-secret-token"));
        host.ServeApi(The.ApiEndpoint);
        (await host.SendAsync()).Dispose();

        await other.Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-elsewhere")), The.AdminWithMfa);
        clock.Advance(TimeSpan.FromMinutes(1));
        (await host.SendAsync()).Dispose();

        await Eventually.TrueAsync(() => host.SendAsync().Result.RequestMessage!.Headers.Authorization!.Parameter == "new-secret-token", "the re-check picked up the change");
        host.ApiCalls.First().Authorization.Should().Be("Bearer old-secret-token");
    }

    [Fact]
    public async Task SendAsync_TwoHostsOnOneStorageStartColdAtOnce_SendOneTokenRequestBetweenThem()
    {
        var repository = new InMemoryCredentialRepository();
        using var http = new MockHttpMessageHandler();
        var token = http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await Task.Delay(300);
            return TokenResponses.Token("shared-across-hosts");
        });
        await using var first = TransmissionTestHost.With().Storage(repository).Clock(TimeProvider.System).Http(http).Start();
        await using var second = TransmissionTestHost.With().Storage(repository).Clock(TimeProvider.System).Http(http).Start();
        first.ServeApi(The.ApiEndpoint);
        await first.SetDirectAsync();

        var requests = Enumerable.Range(0, 20).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).SendAsync()));
        var responses = await Task.WhenAll(requests);

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        http.GetMatchCount(token).Should().Be(1, "the database lease lets one host ask while the other waits for the stored token");
        first.ApiCalls.Should().HaveCount(20).And.OnlyContain(c => c.Authorization == "Bearer shared-across-hosts");
    }
    [Fact]
    public async Task SendAsync_AnotherHostStoresATokenBetweenOurReadAndOurLease_ReusesItInsteadOfRequestingAnother()
    {
        var repository = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var other = TransmissionTestHost.With().Storage(repository).Clock(clock).Start();
        var otherToken = other.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        otherToken.Respond(_ => TokenResponses.Token("stored-by-the-other-host"));
        other.ServeApi(The.ApiEndpoint);

        // The race: this host has read the credentials (no token yet); before it asks for the lease, the other host
        // takes the lease, requests a token, stores it and releases the lease.
        var beforeLease = new BeforeFirstLeaseRepository(repository, async () => (await other.SendAsync()).Dispose());
        await using var host = TransmissionTestHost.With().Storage(beforeLease).Clock(clock).Start();
        var ownToken = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        ownToken.Respond(_ => TokenResponses.Token("second-token"));
        host.ServeApi(The.ApiEndpoint);
        await host.SetDirectAsync();

        using var response = await host.SendAsync();

        beforeLease.Intercepted.Should().BeTrue("the race was staged");
        host.Http.GetMatchCount(ownToken).Should().Be(0, "the token the other host stored under its lease is re-read once this host holds the lease");
        other.Http.GetMatchCount(otherToken).Should().Be(1);
        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer stored-by-the-other-host");
    }

    [Fact]
    public async Task SendAsync_ColdMissWithoutContention_ThreeStorageRoundTripsOneTokenRequestAndEachEnvelopeOpenedOnce()
    {
        var counting = new CountingRepository(new InMemoryCredentialRepository());
        var keys = new CountingKeyProvider(Some.KeyRing());
        await using var host = TransmissionTestHost.With().Storage(counting).Services(services => services.Replace(ServiceDescriptor.Singleton<IKeyEncryptionKeyProvider>(keys))).Start();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("cold-token", 3600, "cold-refresh"));
        host.ServeApi(The.ApiEndpoint);
        await host.SetDirectAsync();
        counting.Calls.Clear();
        keys.Calls = 0;

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        counting.Calls.Should().Equal(["Get", "TryAcquireLease", "SaveTokens"], "read, lease with the row as it is then, save with the release: three round trips");
        host.Http.GetMatchCount(token).Should().Be(1);
        keys.Calls.Should().Be(4, "the seal and the client secret are opened once (the row under the lease is the same bytes), and the two new tokens sealed");
    }

    /// <summary>Records each storage call of the token path, in order.</summary>
    private sealed class CountingRepository(ICredentialRepository inner) : DelegatingCredentialRepository(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Calls { get; } = new();

        public override Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("Get");
            return base.GetAsync(companyId, cancellationToken);
        }

        public override Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("Update");
            return base.UpdateAsync(credential, expectedRowVersion, audit, cancellationToken);
        }

        public override Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("TryAcquireLease");
            return base.TryAcquireLeaseAsync(companyId, owner, now, expiresAt, cancellationToken);
        }

        public override Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("SaveTokens");
            return base.SaveTokensAsync(companyId, version, tokens, releaseLeaseOf, cancellationToken);
        }

        public override Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("ReleaseLease");
            return base.ReleaseLeaseAsync(companyId, owner, cancellationToken);
        }
    }

    /// <summary>Counts every use of the key ring: one per envelope sealed or opened.</summary>
    private sealed class CountingKeyProvider(KeyEncryptionKeyRing ring) : IKeyEncryptionKeyProvider
    {
        public int Calls;

        public KeyEncryptionKeyRing GetKeyRing()
        {
            Interlocked.Increment(ref Calls);
            return ring;
        }
    }

    /// <summary>Runs a step just before the first lease request reaches the storage, then passes everything through.</summary>
    private sealed class BeforeFirstLeaseRepository(ICredentialRepository inner, Func<Task> beforeFirstLease) : DelegatingCredentialRepository(inner)
    {
        private int _intercepted;

        public bool Intercepted => _intercepted == 1;

        public override async Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _intercepted, 1) == 0)
            {
                await beforeFirstLease();
            }

            return await base.TryAcquireLeaseAsync(companyId, owner, now, expiresAt, cancellationToken);
        }
    }
}
