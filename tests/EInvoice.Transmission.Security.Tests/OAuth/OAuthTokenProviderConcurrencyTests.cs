using System.Net;
using EInvoice.Transmission.Security.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderConcurrencyTests
{
    [Fact]
    public async Task SendAsync_1000ConcurrentRequestsOnAColdCache_SendExactlyOneTokenRequest()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await Task.Delay(200);
            return TokenResponses.Token("shared");
        });
        host.ServeApi(The.ApiEndpoint);
        using var start = new ManualResetEventSlim();

        var requests = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await host.SendAsync();
            return response.StatusCode;
        })).ToList();
        start.Set();
        var statuses = await Task.WhenAll(requests);

        host.Http.GetMatchCount(token).Should().Be(1);
        statuses.Should().OnlyContain(s => s == HttpStatusCode.OK);
        host.ApiCalls.Should().HaveCount(1000).And.OnlyContain(c => c.Authorization == "Bearer shared");
    }

    [Fact]
    public async Task SendAsync_100CompaniesTimes20ConcurrentRequests_SendExactly100TokenRequests()
    {
        await using var host = TransmissionTestHost.Create();
        var companies = Enumerable.Range(0, 100).Select(i => $"company-{i:D3}").ToList();
        foreach (var company in companies)
        {
            await host.SetDirectAsync(company, clientId: "client-" + company);
        }

        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async request =>
        {
            await Task.Delay(100);
            var form = await request.Content!.ReadAsStringAsync();
            var client = form.Split('&').Single(p => p.StartsWith("client_id=", StringComparison.Ordinal))["client_id=".Length..];
            return TokenResponses.Token("token-for-" + client);
        });
        host.ServeApi(The.ApiEndpoint);

        var requests = companies.SelectMany(company => Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            using var response = await host.SendAsync(company, $"invoices?company={company}");
            return response.StatusCode;
        })));
        var statuses = await Task.WhenAll(requests);

        host.Http.GetMatchCount(token).Should().Be(100);
        statuses.Should().HaveCount(2000).And.OnlyContain(s => s == HttpStatusCode.OK);
        host.ApiCalls.Select(c => (c.Authorization, Company: c.Uri!.Query.Substring("?company=".Length)))
            .Should().OnlyContain(c => c.Authorization == "Bearer token-for-client-" + c.Company, "each company's requests carry that company's token");
    }

    [Fact]
    public async Task SendAsync_FirstCallerCancelsWhileTheTokenIsFetched_OthersStillGetTheToken()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var release = new TaskCompletionSource();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(async () =>
        {
            await release.Task;
            return TokenResponses.Token("survives");
        });
        host.ServeApi(The.ApiEndpoint);

        using var cancellation = new CancellationTokenSource();
        var first = host.SendAsync(cancellationToken: cancellation.Token);
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) == 1, "the token request is in flight");
        var second = host.SendAsync();
        await cancellation.CancelAsync();

        await FluentActions.Awaiting(() => first).Should().ThrowAsync<OperationCanceledException>();
        release.SetResult();
        using var response = await second;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Http.GetMatchCount(token).Should().Be(1);
        host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().Be("Bearer survives");
    }
}
