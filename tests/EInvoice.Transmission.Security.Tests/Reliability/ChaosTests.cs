using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EInvoice.Transmission.Security.Tests.Reliability;

/// <summary>
/// 50 companies × 10,000 requests against a token endpoint and an API that, at random, delay, hang past the token
/// timeout, fail with 5xx, throttle with 429 and Retry-After, answer garbage, and revoke tokens with 401.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Companies = 50;
    private const int RequestsPerCompany = 10_000;
    private const int Workers = 200;
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Chaos_50CompaniesTimes10000Requests_NeverSendsWithoutCredentialsAndStaysWithinBounds()
    {
        var platform = new ChaosPlatform();
        await using var host = TransmissionTestHost.With().Clock(TimeProvider.System).OAuth(o =>
            {
                o.TokenRequestTimeout = TimeSpan.FromSeconds(1);
                o.InitialBackoff = InitialBackoff;
                o.MaxBackoff = TimeSpan.FromSeconds(1);
            }).Services(services =>
            {
                services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => platform);
                services.AddHttpClient(TransmissionTestHost.ApiClientName).ConfigurePrimaryHttpMessageHandler(() => platform);
            }).Start();
        for (var c = 0; c < Companies; c++)
        {
            await host.SetDirectAsync(Company(c), clientId: Company(c));
        }

        var outcomes = new ConcurrentDictionary<string, int>();
        var slowest = TimeSpan.Zero;
        var next = -1;
        var clock = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            var client = host.Api();
            int i;
            while ((i = Interlocked.Increment(ref next)) < Companies * RequestsPerCompany)
            {
                var company = Company(i % Companies);
                using var timeout = new CancellationTokenSource(RequestTimeout);
                var started = Stopwatch.GetTimestamp();
                string outcome;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(The.ApiEndpoint, "invoices")) { Content = new StringContent("<Invoice/>") };
                    using var response = await client.SendAsync(request.SetCompanyId(company), timeout.Token);
                    outcome = $"HTTP {(int)response.StatusCode}";
                }
                catch (OAuthTokenException ex)
                {
                    outcome = $"OAuthTokenException {ex.Error}";
                }
                catch (Exception ex)
                {
                    outcome = $"UNEXPECTED {ex.GetType().Name}: {ex.Message}";
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed > slowest)
                {
                    slowest = elapsed;
                }

                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        })).ToList();

        var all = Task.WhenAll(workers);
        (await Task.WhenAny(all, Task.Delay(TimeSpan.FromMinutes(5)))).Should().BeSameAs(all, "no deadlock: every worker finishes");
        await all;
        var duration = clock.Elapsed;

        var report = new StringBuilder()
            .AppendLine($"{Companies * RequestsPerCompany} requests in {duration.TotalSeconds:0.0} s; slowest {slowest.TotalMilliseconds:0} ms")
            .AppendLine($"token requests {platform.TokenRequests} (issued {platform.TokensIssued}), revocations {platform.Revocations}, API calls {platform.ApiCalls}")
            .AppendJoin(Environment.NewLine, outcomes.OrderByDescending(o => o.Value).Select(o => $"  {o.Value,8}  {o.Key}"))
            .ToString();
        output.WriteLine(report);

        platform.CallsWithoutCredentials.Should().Be(0, "no request ever reaches the API without credentials");
        platform.CallsWithAnotherCompanysToken.Should().Be(0, "no request ever carries another company's token");
        outcomes.Values.Sum().Should().Be(Companies * RequestsPerCompany, "every caller completed");
        outcomes.Keys.Should().OnlyContain(k => k.StartsWith("HTTP ", StringComparison.Ordinal) || k.StartsWith("OAuthTokenException ", StringComparison.Ordinal), report);
        slowest.Should().BeLessThan(RequestTimeout, "every caller completes or gets a typed error within its timeout");

        // Stated bound, per company: one first token, one per revocation, one per refresh (every half lifetime),
        // and failed attempts no closer together than the smallest backoff (InitialBackoff less its jitter of a fifth).
        var perCompany = 1 + Math.Ceiling(duration / (TokenLifetime / 2)) + Math.Ceiling(duration / (InitialBackoff * 0.8));
        var bound = (Companies * perCompany) + platform.Revocations;
        platform.TokenRequests.Should().BeLessThanOrEqualTo((long)bound, $"token requests stay within the stated bound ({bound:0}, against {Companies * RequestsPerCompany} requests)");

        outcomes.Keys.Should().Contain(k => k.StartsWith("OAuthTokenException", StringComparison.Ordinal), "the chaos reached the callers");
        platform.Revocations.Should().BeGreaterThan(0);
        platform.Hangs.Should().BeGreaterThan(0);
    }

    private static string Company(int i) => $"chaos-{i:D2}";

    /// <summary>Token endpoint and API in one handler, misbehaving at random, checking every API call's credentials.</summary>
    private sealed class ChaosPlatform : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<string, (string Company, DateTimeOffset ExpiresAt)> _tokens = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, bool> _revoked = new(StringComparer.Ordinal);
        private long _tokenRequests;
        private long _tokensIssued;
        private long _revocations;
        private long _apiCalls;
        private long _withoutCredentials;
        private long _wrongCompany;
        private long _hangs;

        public long TokenRequests => Interlocked.Read(ref _tokenRequests);

        public long TokensIssued => Interlocked.Read(ref _tokensIssued);

        public long Revocations => Interlocked.Read(ref _revocations);

        public long ApiCalls => Interlocked.Read(ref _apiCalls);

        public long CallsWithoutCredentials => Interlocked.Read(ref _withoutCredentials);

        public long CallsWithAnotherCompanysToken => Interlocked.Read(ref _wrongCompany);

        public long Hangs => Interlocked.Read(ref _hangs);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => request.RequestUri!.Host == The.TokenEndpoint.Host ? TokenAsync(request, cancellationToken) : ApiAsync(request);

        private async Task<HttpResponseMessage> TokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _tokenRequests);
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);
            var company = form.Split('&').Single(p => p.StartsWith("client_id=", StringComparison.Ordinal))["client_id=".Length..];
            var roll = Random.Shared.Next(100);
            if (roll < 30)
            {
                await Task.Delay(Random.Shared.Next(1, 30), cancellationToken);
            }

            switch (roll % 20)
            {
                case 0:
                    Interlocked.Increment(ref _hangs);
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    break;
                case 1:
                case 2:
                    return TokenResponses.Error(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", retryAfter: roll < 50 ? TimeSpan.FromSeconds(1) : null);
                case 3:
                    return TokenResponses.Error(HttpStatusCode.TooManyRequests, "slow_down", retryAfter: TimeSpan.FromSeconds(1));
                case 4:
                    return TokenResponses.Json(HttpStatusCode.OK, "<html>proxy error</html>");
            }

            var token = $"{company}.{Guid.NewGuid():N}";
            _tokens[token] = (company, DateTimeOffset.UtcNow + TokenLifetime);
            Interlocked.Increment(ref _tokensIssued);
            return TokenResponses.Token(token, (int)TokenLifetime.TotalSeconds);
        }

        private async Task<HttpResponseMessage> ApiAsync(HttpRequestMessage request)
        {
            Interlocked.Increment(ref _apiCalls);
            var token = request.Headers.Authorization?.Parameter;
            if (token is null)
            {
                Interlocked.Increment(ref _withoutCredentials);
                return new HttpResponseMessage(HttpStatusCode.Unauthorized);
            }

            if (!_tokens.TryGetValue(token, out var issued))
            {
                Interlocked.Increment(ref _wrongCompany);
                return Unauthorized();
            }

            if (!request.Options.TryGetValue(EInvoiceHttpRequestMessageExtensions.CompanyIdKey, out var company) || company != issued.Company)
            {
                Interlocked.Increment(ref _wrongCompany);
            }

            var roll = Random.Shared.Next(10_000);
            if (roll < 2000)
            {
                await Task.Yield();
            }

            if (_revoked.ContainsKey(token) || issued.ExpiresAt + TimeSpan.FromSeconds(1) < DateTimeOffset.UtcNow)
            {
                return Unauthorized();
            }

            if (roll < 5)
            {
                _revoked[token] = true;
                Interlocked.Increment(ref _revocations);
                return Unauthorized();
            }

            return roll < 55 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : new HttpResponseMessage(HttpStatusCode.Accepted);
        }

        private static HttpResponseMessage Unauthorized()
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "error=\"invalid_token\""));
            return response;
        }
    }
}
