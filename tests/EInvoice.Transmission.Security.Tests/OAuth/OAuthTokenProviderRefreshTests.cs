using System.Collections.Concurrent;
using System.Net;
using EInvoice.Transmission.Security.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderRefreshTests
{
    /// <summary>Re-checks far apart, so that only refreshes cause background work in these tests.</summary>
    private static void RefreshOnly(OAuthOptions options) => options.CredentialRecheckInterval = TimeSpan.FromHours(1);

    private static (MockedRequest Request, ConcurrentQueue<string> Grants) TokenSequence(TransmissionTestHost host, params Func<HttpResponseMessage>[] answers)
    {
        var queue = new ConcurrentQueue<Func<HttpResponseMessage>>(answers);
        var grants = new ConcurrentQueue<string>();
        var request = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        request.Respond(async message =>
        {
            var form = await message.Content!.ReadAsStringAsync();
            grants.Enqueue(form);
            return queue.TryDequeue(out var next) ? next() : answers[^1]();
        });
        return (request, grants);
    }

    private static async Task<List<string?>> SendManyAsync(TransmissionTestHost host, int count)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => host.SendAsync())));
        foreach (var response in responses)
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Dispose();
        }

        return [.. host.ApiCalls.TakeLast(count).Select(c => c.Authorization)];
    }

    [Fact]
    public async Task SendAsync_TokenOf3600Seconds_RefreshesOnceInTheBackgroundAt55MinutesWhileRequestsKeepFlowing()
    {
        await using var host = TransmissionTestHost.With().OAuth(RefreshOnly).Start();
        await host.SetDirectAsync();
        var release = new TaskCompletionSource();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        var issued = 0;
        token.Respond(async () =>
        {
            if (Interlocked.Increment(ref issued) == 1)
            {
                return TokenResponses.Token("first", 3600);
            }

            await release.Task;
            return TokenResponses.Token("second", 3600);
        });
        host.ServeApi(The.ApiEndpoint);

        (await SendManyAsync(host, 1)).Should().Equal("Bearer first");
        host.FakeClock.Advance(TimeSpan.FromMinutes(55) - TimeSpan.FromSeconds(1));
        (await SendManyAsync(host, 10)).Should().OnlyContain(a => a == "Bearer first");
        host.Http.GetMatchCount(token).Should().Be(1, "nothing is refreshed before 55:00");

        host.FakeClock.Advance(TimeSpan.FromSeconds(1));
        (await SendManyAsync(host, 20)).Should().OnlyContain(a => a == "Bearer first", "callers keep the current token while the refresh runs");
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 2, "the background refresh asked for a token");
        (await SendManyAsync(host, 20)).Should().OnlyContain(a => a == "Bearer first");

        release.SetResult();
        await Eventually.TrueAsync(() => SendManyAsync(host, 1).Result.Single() == "Bearer second", "the refreshed token is in use");
        (await SendManyAsync(host, 20)).Should().OnlyContain(a => a == "Bearer second");
        host.Http.GetMatchCount(token).Should().Be(2, "exactly one background refresh");
    }

    [Fact]
    public async Task SendAsync_RefreshFails_KeepsTheCurrentTokenUntilItExpiresThenThrowsTheTypedException()
    {
        await using var host = TransmissionTestHost.With().OAuth(RefreshOnly).Start();
        await host.SetDirectAsync();
        var (token, _) = TokenSequence(host, () => TokenResponses.Token("only", 3600), () => TokenResponses.Error(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable"));
        host.ServeApi(The.ApiEndpoint);
        (await SendManyAsync(host, 1)).Should().Equal("Bearer only");

        host.FakeClock.Advance(TimeSpan.FromMinutes(55));
        var steps = 0;
        while (host.FakeClock.GetUtcNow() < The.Now.AddHours(1) - TimeSpan.FromSeconds(15))
        {
            (await SendManyAsync(host, 5)).Should().OnlyContain(a => a == "Bearer only", "the current token serves until it truly expires");
            var attempts = host.Http.GetMatchCount(token);
            await Eventually.TrueAsync(() => !IsRefreshing(host), "the refresh attempt is over");
            host.FakeClock.Advance(TimeSpan.FromSeconds(15));
            steps++;
            host.Http.GetMatchCount(token).Should().BeLessThanOrEqualTo(attempts + 1);
        }

        host.Http.GetMatchCount(token).Should().BeInRange(3, steps + 1, "failed refreshes are retried, with backoff between attempts");
        host.FakeClock.Advance(TimeSpan.FromSeconds(30));

        var error = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;
        error.IsTransient.Should().BeTrue();
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        host.ApiCalls.Should().OnlyContain(c => c.Authorization == "Bearer only", "no request ever went out without a valid token");
    }

    [Fact]
    public async Task SendAsync_LifetimeShorterThanTheBuffer_RefreshesAtHalfTheLifetime()
    {
        await using var host = TransmissionTestHost.With().OAuth(RefreshOnly).Start();
        await host.SetDirectAsync();
        var (token, _) = TokenSequence(host, () => TokenResponses.Token("short", 120), () => TokenResponses.Token("next", 120));
        host.ServeApi(The.ApiEndpoint);
        await SendManyAsync(host, 1);

        host.FakeClock.Advance(TimeSpan.FromSeconds(59));
        await SendManyAsync(host, 3);
        host.Http.GetMatchCount(token).Should().Be(1);

        host.FakeClock.Advance(TimeSpan.FromSeconds(1));
        await SendManyAsync(host, 3);
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 2, "a refresh starts at half the lifetime");
    }

    [Fact]
    public async Task SendAsync_ResponseCarriedARefreshToken_RefreshesWithTheRefreshTokenGrant()
    {
        await using var host = TransmissionTestHost.With().OAuth(RefreshOnly).Start();
        await host.SetDirectAsync();
        var (token, grants) = TokenSequence(host, () => TokenResponses.Token("a1", 3600, refreshToken: "r1"), () => TokenResponses.Token("a2", 3600, refreshToken: "r2"));
        host.ServeApi(The.ApiEndpoint);
        await SendManyAsync(host, 1);

        host.FakeClock.Advance(TimeSpan.FromMinutes(56));
        await SendManyAsync(host, 1);
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 2, "the refresh ran");
        await Eventually.TrueAsync(() => SendManyAsync(host, 1).Result.Single() == "Bearer a2", "the new token is in use");

        grants.Last().Should().Contain("grant_type=refresh_token").And.Contain("refresh_token=r1").And.Contain("client_id=" + The.ClientId);
    }

    [Fact]
    public async Task SendAsync_RefreshTokenRejected_FallsBackToClientCredentials()
    {
        await using var host = TransmissionTestHost.With().OAuth(RefreshOnly).Start();
        await host.SetDirectAsync();
        var (token, grants) = TokenSequence(
            host,
            () => TokenResponses.Token("a1", 3600, refreshToken: "r1"),
            () => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_grant"),
            () => TokenResponses.Token("a2", 3600));
        host.ServeApi(The.ApiEndpoint);
        await SendManyAsync(host, 1);

        host.FakeClock.Advance(TimeSpan.FromMinutes(56));
        await SendManyAsync(host, 1);
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 3, "refresh grant, then client credentials");
        await Eventually.TrueAsync(() => SendManyAsync(host, 1).Result.Single() == "Bearer a2", "the new token is in use");

        grants.ElementAt(1).Should().Contain("grant_type=refresh_token");
        grants.ElementAt(2).Should().Contain("grant_type=client_credentials");
    }

    private static bool IsRefreshing(TransmissionTestHost host)
    {
        var cache = (EInvoice.Transmission.Security.Internal.AccessTokenCache)host.Services.GetService(typeof(EInvoice.Transmission.Security.Internal.AccessTokenCache))!;
        return cache.IsFetching(The.CompanyId);
    }
}
