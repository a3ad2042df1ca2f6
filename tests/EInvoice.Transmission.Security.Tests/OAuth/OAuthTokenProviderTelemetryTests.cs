using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

public sealed class OAuthTokenProviderTelemetryTests
{
    private const string ClientSecretCanary = "CANARY-cs-8d2f61b0";
    private const string AccessTokenCanary = "CANARY-at-4a9e03c7";
    private const string SecondAccessTokenCanary = "CANARY-at2-77b1d5e9";
    private const string RefreshTokenCanary = "CANARY-rt-e61c2f8a";
    private const string ApiKeyCanary = "CANARY-ak-0f93b6d2";

    [Fact]
    public async Task WholeFlow_LoggedAtTrace_ContainsNoSecretTokenOrApiKey()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.CredentialRecheckInterval = TimeSpan.FromHours(1)).Start();
        await host.SetDirectAsync(clientSecret: ClientSecretCanary);
        await host.Store.SetAsync(The.OtherCompanyId, The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKeyCanary)), The.AdminWithMfa);
        var issued = 0;
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => Interlocked.Increment(ref issued) switch
        {
            1 => TokenResponses.Token(AccessTokenCanary, 3600, RefreshTokenCanary),
            2 => TokenResponses.Token(SecondAccessTokenCanary, 3600, RefreshTokenCanary),
            3 => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_grant", $"refresh token {RefreshTokenCanary} expired"),
            _ => TokenResponses.Error(HttpStatusCode.Unauthorized, "invalid_client", $"bad secret {ClientSecretCanary}"),
        });
        host.ServeApi(The.ApiEndpoint, request =>
        {
            if (request.Headers.Authorization?.Parameter == AccessTokenCanary)
            {
                var unauthorized = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                unauthorized.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "error=\"invalid_token\""));
                return unauthorized;
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        host.ServeApi(The.AspEndpoint);

        (await host.SendAsync(content: new StringContent("<Invoice/>"))).Dispose();
        using (var aspRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(The.AspEndpoint, "status")).SetCompanyId(The.OtherCompanyId))
        {
            (await host.Api().SendAsync(aspRequest)).Dispose();
        }

        host.FakeClock.Advance(TimeSpan.FromMinutes(56));
        (await host.SendAsync()).Dispose();
        await Eventually.TrueAsync(() => host.Http.GetMatchCount(token) >= 4, "the refresh failed both ways");
        await Eventually.TrueAsync(() => !IsFetching(host), "the refresh is over");
        host.FakeClock.Advance(TimeSpan.FromMinutes(10));
        await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>();
        await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(The.CompanyId);
        await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(The.OtherCompanyId);

        var records = host.Logs.GetSnapshot();
        records.Should().Contain(r => r.Level == LogLevel.Trace, "the flow was logged at Trace");
        records.Should().Contain(r => r.Id.Id == 1107, "the 401 retry was logged");
        records.Should().Contain(r => r.Category!.StartsWith("System.Net.Http.HttpClient." + TransmissionTestHost.ApiClientName, StringComparison.Ordinal)
            && r.Message.Contains("Authorization: *", StringComparison.Ordinal), "the client's requests were logged at Trace, credential values masked");
        records.Should().Contain(r => r.Category!.StartsWith("System.Net.Http.HttpClient." + EInvoiceTransmissionDefaults.TokenHttpClientName, StringComparison.Ordinal),
            "the token client's requests were logged too");
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.AppendLine(record.Message).AppendLine(record.Exception?.ToString());
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                text.Append(key).Append('=').AppendLine(value);
            }
        }

        var all = text.ToString();
        foreach (var canary in new[] { ClientSecretCanary, AccessTokenCanary, SecondAccessTokenCanary, RefreshTokenCanary, ApiKeyCanary })
        {
            all.Should().NotContain(canary);
            all.Should().NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(canary)));
        }

        all.Should().NotContain("Bearer " + AccessTokenCanary[..8]);
    }

    [Fact]
    public async Task Metrics_ObservedWithAMeterListener_CountTokenRequestsHitsRefreshesAndRetries()
    {
        await using var host = TransmissionTestHost.With().OAuth(o => o.CredentialRecheckInterval = TimeSpan.FromHours(1)).Start();
        await host.SetDirectAsync();
        var meterFactory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var requests = new MetricCollector<long>(meterFactory, "EInvoice.Transmission.Security", "eits.token.requests");
        using var hits = new MetricCollector<long>(meterFactory, "EInvoice.Transmission.Security", "eits.token.cache_hits");
        using var refreshes = new MetricCollector<long>(meterFactory, "EInvoice.Transmission.Security", "eits.token.refreshes");
        using var retries = new MetricCollector<long>(meterFactory, "EInvoice.Transmission.Security", "eits.http.unauthorized_retries");
        var issued = 0;
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token($"m{Interlocked.Increment(ref issued)}"));
        host.ServeApi(The.ApiEndpoint, request => request.Headers.Authorization!.Parameter == "m2" ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : new HttpResponseMessage(HttpStatusCode.OK));

        for (var i = 0; i < 5; i++)
        {
            (await host.SendAsync()).Dispose();
        }

        host.FakeClock.Advance(TimeSpan.FromMinutes(56));
        (await host.SendAsync()).Dispose();
        await Eventually.TrueAsync(() => issued == 2, "the background refresh ran");
        await Eventually.TrueAsync(() => !IsFetching(host), "the refresh is over");
        (await host.SendAsync()).Dispose();

        requests.GetMeasurementSnapshot().Should().HaveCount(3).And.OnlyContain(m => m.Tags["outcome"]!.Equals("success") && m.Tags["grant"]!.Equals("client_credentials"));
        hits.GetMeasurementSnapshot().EvaluateAsCounter().Should().Be(6, "four hits after the first request, one while the refresh was due, one for the last request");
        refreshes.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["outcome"].Should().Be("success");
        retries.GetMeasurementSnapshot().EvaluateAsCounter().Should().Be(1);
    }

    [Fact]
    public async Task TokenAcquisition_ActivitySource_EmitsASpanPerFetch()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "EInvoice.Transmission.Security",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = TransmissionTestHost.Create();
        var company = "span-" + Guid.NewGuid().ToString("N");
        await host.SetDirectAsync(company);
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Token("span-token"));
        host.ServeApi(The.ApiEndpoint);

        (await host.SendAsync(company)).Dispose();

        lock (spans)
        {
            spans.Should().Contain(a => a.OperationName == "eits.token.acquire" && (string?)a.GetTagItem("eits.company_id") == company);
            spans.SelectMany(a => a.TagObjects).Select(t => t.Value?.ToString()).Should().NotContain("span-token");
        }
    }

    private static bool IsFetching(TransmissionTestHost host)
        => host.Services.GetRequiredService<EInvoice.Transmission.Security.Internal.AccessTokenCache>().IsFetching(The.CompanyId);
}
