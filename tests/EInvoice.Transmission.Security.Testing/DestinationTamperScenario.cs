using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Issue #10's S1 sequence end to end over a real repository and real sockets: someone with write access to the
/// database points the token endpoint at their own listener; an administrator then looks at the status and makes a
/// routine partial change; the ERP sends. The attacker's listener must receive nothing at any step.
/// </summary>
public static class DestinationTamperScenario
{
    public static async Task RunAsync(Func<ICredentialRepository> createRepository)
    {
        await using var platform = LiveHost.Platform();
        await using var attacker = new LoopbackHttpServer((_, _) => (200, """{"access_token":"stolen","token_type":"Bearer","expires_in":3600}""", null));
        var apiUri = new Uri(platform.BaseUri, "api/invoices");

        await using (var host = LiveHost.Create(createRepository()))
        {
            await host.Store.SetAsync(The.CompanyId, LiveHost.DirectOn(platform), The.AdminWithMfa);
            (await host.SendAsync(apiUri)).IsSuccessStatusCode.Should().BeTrue("the untampered company works");

            // Tamper: a database writer, with no key, edits one column.
            var repository = host.Services.GetRequiredService<ICredentialRepository>();
            var row = (await repository.GetAsync(The.CompanyId))!;
            (await repository.UpdateAsync(row.WithSetting("token_endpoint", new Uri(attacker.BaseUri, "token").AbsoluteUri) with { RowVersion = row.RowVersion + 1 }, row.RowVersion, null))
                .Should().BeTrue();

            // Status: the administrator is told.
            var status = (await host.Store.GetStatusAsync(The.CompanyId))!;
            status.IsDestinationIntact.Should().BeFalse();
            status.TamperedFields.Should().Contain("token_endpoint");
            status.IsConfigured.Should().BeFalse();
            status.TokenEndpoint.Should().Be(new Uri(platform.BaseUri, "token"), "the status shows what was sealed, not the planted endpoint");

            // A routine partial update (a new secret) is refused, and nothing is re-sealed.
            await FluentActions.Awaiting(() => host.Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("rotated-secret-77")), The.AdminWithMfa))
                .Should().ThrowAsync<ArgumentException>();
            await FluentActions.Awaiting(() => host.Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.ProviderName, "Renamed"), The.AdminWithMfa))
                .Should().ThrowAsync<ArgumentException>();

            // The connection test refuses too.
            (await host.Tester.TestAsync(The.CompanyId)).Succeeded.Should().BeFalse();
        }

        // Send, from a freshly started host that has nothing cached: refused, nothing leaves.
        await using (var host = LiveHost.Create(createRepository()))
        {
            var send = () => host.SendAsync(apiUri);
            (await send.Should().ThrowAsync<OAuthTokenException>()).Which.Error.Should().Be(OAuthTokenException.CredentialsUnreadable);
            (await host.Store.GetStatusAsync(The.CompanyId))!.IsDestinationIntact.Should().BeFalse("still flagged after every step");
        }

        attacker.Received.Should().BeEmpty("no secret, token or request ever reaches the tampered endpoint");
    }
}
