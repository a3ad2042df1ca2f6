using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>
/// A kind with a secret field the library has never heard of: declared once, in the kind, and from that alone it is
/// sealed, bound into the destination seal, rewrapped by a rotation, kept out of every output, and named in the audit.
/// </summary>
public sealed class NewSecretFieldKindTests
{
    private const string Token = "CANARY-new-field-token-6d1f";
    private const string SigningSecret = "CANARY-new-field-signing-8e2a";
    private static readonly Uri Api = new("https://signed.api.example/");

    [Fact]
    public async Task KindWithANewSecretField_SetSendRotateTamper_IsSealedRewrappedAuditedAndNeverShown()
    {
        var repository = new InMemoryCredentialRepository();
        var update = new CredentialUpdate { Kind = SignedKind.KindName, Environment = TransmissionEnvironment.Production }
            .WithSetting(CredentialField.ApiEndpointName, Api)
            .WithSecret("api_token", new SecretValue(Token))
            .WithSecret("signing_secret", new SecretValue(SigningSecret));

        await using (var host = Host(repository, (The.KeyId, The.Key)))
        {
            var status = await host.Store.SetAsync(The.CompanyId, update, The.AdminWithMfa);
            status.SecretNames.Should().Equal("api_token", "signing_secret");
            await SendAsync(host);
            var audit = await host.Store.ReadAuditTrailAsync(0, 10);
            audit.Single().Fields.Should().Contain("signing_secret");

            var texts = new[] { status.ToString(), JsonSerializer.Serialize(status), update.ToString(), JsonSerializer.Serialize(audit), await InMemoryStorage.DumpAsync(repository) }
                .Concat(host.Logs.GetSnapshot().Select(r => r.Message + " " + string.Join(",", r.StructuredState ?? [])));
            texts.Should().NotContain(t => t.Contains(SigningSecret, StringComparison.Ordinal) || t.Contains(Token, StringComparison.Ordinal));
        }

        // A rotation moves the new field's envelope with the others, without the library knowing the field.
        await using (var host = Host(repository, (The.KeyId, The.Key), (The.NewKeyId, The.NewKey)))
        {
            (await host.Store.RewrapAllAsync()).Rewrapped.Should().Be(1);
        }

        var row = (await repository.GetAsync(The.CompanyId))!;
        CredentialVault.GetKeyId(row.Secrets["signing_secret"]).Should().Be(The.NewKeyId);
        await using (var host = Host(repository, (The.NewKeyId, The.NewKey)))
        {
            await SendAsync(host);

            // The seal binds the new field too: its envelope swapped for another secret's is refused, and named.
            var swapped = row.WithSecretEnvelope("signing_secret", row.Secrets["api_token"]) with { RowVersion = row.RowVersion + 1 };
            (await repository.UpdateAsync(swapped, row.RowVersion, null)).Should().BeTrue();
            (await host.Store.GetStatusAsync(The.CompanyId))!.TamperedFields.Should().Equal("signing_secret");
        }

        await using (var host = Host(repository, (The.NewKeyId, The.NewKey)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, "invoices"));
            request.SetCompanyId(The.CompanyId);
            await FluentActions.Awaiting(() => host.Api().SendAsync(request)).Should().ThrowAsync<OAuthTokenException>();
        }
    }

    private static TransmissionTestHost Host(InMemoryCredentialRepository repository, params (string Id, string Key)[] keys)
    {
        var host = TransmissionTestHost.With().Storage(repository).Services(services => services.AddEInvoiceTransmission().AddCredentialKind<SignedKind>()).Vault(options =>
            {
                foreach (var (id, key) in keys)
                {
                    options.Keys[id] = key;
                }

                options.ActiveKeyId = keys[^1].Id;
            }).Start();
        host.ServeApi(Api, request => new HttpResponseMessage(
            request.Headers.TryGetValues("X-Token", out var token) && token.Single() == Token
            && request.Headers.TryGetValues("X-Signature", out var signature) && signature.Single() == SignedKind.Sign(SigningSecret, The.CompanyId)
                ? HttpStatusCode.OK
                : HttpStatusCode.Unauthorized));
        return host;
    }

    private static async Task SendAsync(TransmissionTestHost host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Api, "invoices"));
        request.SetCompanyId(The.CompanyId);
        (await host.Api().SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>A token header plus a signature derived from a second secret: everything it knows is declared here.</summary>
    private sealed class SignedKind() : CredentialKind(
        KindName,
        [CredentialField.Endpoint(CredentialField.ApiEndpointName, isRequired: true), CredentialField.Secret("api_token", isRequired: true), CredentialField.Secret("signing_secret", isRequired: true)])
    {
        public const string KindName = "signed_token";

        public static string Sign(string secret, string companyId)
            => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(companyId)));

        protected internal override void AddHeaders(CredentialValues values, CredentialHeaders headers)
        {
            headers.Add("X-Token", values.GetSecret("api_token")!.Reveal());
            headers.Add("X-Signature", Sign(values.GetSecret("signing_secret")!.Reveal(), values.CompanyId));
        }
    }
}
