using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Lifecycle;

/// <summary>
/// A refresh token's lifetime, read from the token response when the platform reports it (issue #14, scope 1), against
/// a local OAuth server: stored with the token and shown in the status; nothing when the platform is silent.
/// </summary>
public sealed class RefreshTokenLifetimeTests
{
    [Theory]
    [InlineData("refresh_expires_in", 604800)]
    [InlineData("refresh_token_expires_in", 86400)]
    [InlineData(null, 0)]
    public async Task Send_TokenResponseReportsTheRefreshTokenLifetime_TheStatusShowsWhenItExpires(string? member, int seconds)
    {
        var extra = member is null ? string.Empty : $",\"{member}\":{seconds}";
        await using var platform = new LoopbackHttpServer((request, _) => request.Url!.AbsolutePath == "/token"
            ? (200, $"{{\"access_token\":\"a1\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"r1\"{extra}}}", null)
            : (200, "{}", null));
        await using var host = LiveHost.Create(new InMemoryCredentialRepository());
        await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform), The.AdminWithMfa);

        var before = TimeProvider.System.GetUtcNow();
        await host.SendAsync(new Uri(platform.BaseUri, "api/invoices"));
        var after = TimeProvider.System.GetUtcNow();

        var status = (await host.Store.GetStatusAsync(The.CompanyId))!;
        if (member is null)
        {
            status.RefreshTokenExpiresAt.Should().BeNull();
        }
        else
        {
            status.RefreshTokenExpiresAt.Should().BeOnOrAfter(before.AddSeconds(seconds).AddMilliseconds(-1)).And.BeOnOrBefore(after.AddSeconds(seconds));
        }
    }
}
