using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using EInvoice.Transmission.Security.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderUnauthorizedTests
{
    private static MockedRequest NumberedTokens(TransmissionTestHost host)
    {
        var issued = 0;
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await Task.Delay(20);
            return TokenResponses.Token($"t{Interlocked.Increment(ref issued)}");
        });
        return token;
    }

    private static HttpResponseMessage Unauthorized(string? error = "invalid_token")
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", error is null ? "realm=\"api\"" : $"realm=\"api\", error=\"{error}\""));
        return response;
    }

    [Fact]
    public async Task SendAsync_401AndTheIdentityProviderReissuesTheSameToken_ResendsOnceWithAWarning()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();

        // Like India's IRP: the same token until its last ten minutes.
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("same-token", expiresIn: 6 * 3600));
        var calls = 0;
        host.ServeApi(The.ApiEndpoint, _ => Interlocked.Increment(ref calls) == 1 ? Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the request was resent once with the re-issued token");
        host.ApiCalls.Should().HaveCount(2).And.OnlyContain(c => c.Authorization == "Bearer same-token");
        host.Http.GetMatchCount(token).Should().Be(2);
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1114 && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task SendAsync_401EveryTimeWithTheSameToken_ResendsOnlyOnce()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("same-token"));
        host.ServeApi(The.ApiEndpoint, _ => Unauthorized());

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.ApiCalls.Should().HaveCount(2, "one resend per request, never a loop");
    }

    [Fact]
    public async Task SendAsync_50ConcurrentRequestsRejectedWith401_OneNewTokenRequestAndEachRetriedOnce()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = NumberedTokens(host);

        // The API answers no request carrying t1 until all fifty have arrived with it: fifty 401s for one token, at once.
        var withT1 = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ServeApi(The.ApiEndpoint, async request =>
        {
            if (request.Headers.Authorization!.Parameter != "t1")
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            if (Interlocked.Increment(ref withT1) == 50)
            {
                allArrived.SetResult();
            }

            await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return Unauthorized();
        });

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            using var response = await host.SendAsync();
            return response.StatusCode;
        })));

        statuses.Should().OnlyContain(s => s == HttpStatusCode.OK);
        host.Http.GetMatchCount(token).Should().Be(2, "the first token, then exactly one new one for all fifty 401s");
        host.ApiCalls.Count(c => c.Authorization == "Bearer t1").Should().Be(50);
        host.ApiCalls.Count(c => c.Authorization == "Bearer t2").Should().Be(50, "each request was resent exactly once");
    }

    [Fact]
    public async Task SendAsync_401AfterTheRetry_IsReturnedToTheCallerWithoutLooping()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = NumberedTokens(host);
        host.ServeApi(The.ApiEndpoint, _ => Unauthorized());

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.ApiCalls.Select(c => c.Authorization).Should().Equal("Bearer t1", "Bearer t2");
        host.Http.GetMatchCount(token).Should().Be(2);
    }

    [Fact]
    public async Task SendAsync_401WithoutAnErrorCode_IsRetriedOnce()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        NumberedTokens(host);
        host.ServeApi(The.ApiEndpoint, request => request.Headers.Authorization!.Parameter == "t1" ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : new HttpResponseMessage(HttpStatusCode.OK));

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SendAsync_401ForInsufficientScope_IsNotRetried()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = NumberedTokens(host);
        host.ServeApi(The.ApiEndpoint, _ => Unauthorized("insufficient_scope"));

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        host.ApiCalls.Should().ContainSingle();
        host.Http.GetMatchCount(token).Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_403_IsNeverRetried()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = NumberedTokens(host);
        host.ServeApi(The.ApiEndpoint, _ => new HttpResponseMessage(HttpStatusCode.Forbidden));

        using var response = await host.SendAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        host.ApiCalls.Should().ContainSingle();
        host.Http.GetMatchCount(token).Should().Be(1);
    }

    [Fact]
    public async Task SendAsync_401WithANonRewindableBody_IsNotRetriedButTheNextRequestGetsANewToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = NumberedTokens(host);
        host.ServeApi(The.ApiEndpoint, request => request.Headers.Authorization!.Parameter == "t1" ? Unauthorized() : new HttpResponseMessage(HttpStatusCode.OK));

        using var first = await host.SendAsync(content: new StreamContent(new MemoryStream("<Invoice/>"u8.ToArray())));
        using var second = await host.SendAsync();

        first.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        host.ApiCalls.Select(c => c.Authorization).Should().Equal("Bearer t1", "Bearer t2");
        host.Http.GetMatchCount(token).Should().Be(2);
    }

    public static TheoryData<string> ResendableContents => ["string", "bytes", "json", "form"];

    [Theory]
    [MemberData(nameof(ResendableContents))]
    public async Task SendAsync_401WithABufferedBody_ResendsTheSameBody(string kind)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        NumberedTokens(host);
        var bodies = new ConcurrentQueue<string>();
        host.ServeApi(The.ApiEndpoint, request =>
        {
            bodies.Enqueue(request.Content!.ReadAsStringAsync().Result);
            return request.Headers.Authorization!.Parameter == "t1" ? Unauthorized() : new HttpResponseMessage(HttpStatusCode.Created);
        });
        HttpContent content = kind switch
        {
            "string" => new StringContent("<Invoice id=\"42\"/>"),
            "bytes" => new ByteArrayContent("<Invoice id=\"42\"/>"u8.ToArray()),
            "json" => JsonContent.Create(new { id = 42 }),
            _ => new FormUrlEncodedContent([new("id", "42")]),
        };

        using var response = await host.SendAsync(content: content);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        bodies.Should().HaveCount(2);
        bodies.Distinct().Should().ContainSingle("the resent body is the same").Which.Should().Contain("42");
    }
}
