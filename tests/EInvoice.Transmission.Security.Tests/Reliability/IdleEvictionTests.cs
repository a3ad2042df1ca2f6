using System.Net;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.Reliability;

/// <summary>Companies that stop sending are forgotten by the cache after <see cref="OAuthOptions.IdleCompanyEviction"/> (issue 15, goal 6).</summary>
public sealed class IdleEvictionTests
{
    [Fact]
    public async Task CompanyIdleLongerThanTheEviction_IsForgottenAndItsNextRequestReusesTheStoredToken()
    {
        await using var host = TransmissionTestHost.With().OAuth(o =>
        {
            o.IdleCompanyEviction = TimeSpan.FromMinutes(10);
            o.CredentialRecheckInterval = TimeSpan.FromHours(1);
        }).Start();
        var token = host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri);
        token.Respond(_ => TokenResponses.Token("long-lived", 86_400));
        host.ServeApi(The.ApiEndpoint);
        await host.SetDirectAsync(The.CompanyId);
        await host.SetDirectAsync(The.OtherCompanyId);
        var cache = host.Services.GetRequiredService<AccessTokenCache>();
        (await host.SendAsync(The.CompanyId)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.SendAsync(The.OtherCompanyId)).StatusCode.Should().Be(HttpStatusCode.OK);

        // The other company keeps sending; this one stops.
        for (var minute = 0; minute < 15; minute++)
        {
            host.FakeClock.Advance(TimeSpan.FromMinutes(1));
            (await host.SendAsync(The.OtherCompanyId)).Dispose();
        }

        cache.IsCached(The.CompanyId).Should().BeFalse("no request for more than the eviction time");
        cache.IsCached(The.OtherCompanyId).Should().BeTrue("it kept sending");

        (await host.SendAsync(The.CompanyId)).StatusCode.Should().Be(HttpStatusCode.OK);
        host.Http.GetMatchCount(token).Should().Be(2, "one token per company: the forgotten one's token came back from storage");
        host.ApiCalls.Last().Authorization.Should().Be("Bearer long-lived");
    }
}
