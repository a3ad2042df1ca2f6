using System.Net;
using System.Text.Json;
using Dapper;
using EInvoice.Transmission.Security.HealthChecks;
using EInvoice.Transmission.Security.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// The health checks (issue #14, scope 5) in a test host that serves them with <c>MapHealthChecks</c> on SQLite, each
/// state driven through its condition: key ring unusable, storage unreachable, behind or ahead of the schema, token
/// requests refused or backing off, secrets expired or expiring. The answers name companies and reasons, never a secret.
/// </summary>
public sealed class TransmissionHealthChecksTests : IAsyncDisposable
{
    private readonly TemporarySqliteFile _file = new();
    private readonly FakeTimeProvider _clock = Some.Clock();
    private readonly MockHttpMessageHandler _http = new();
    private readonly SwitchableKeyProvider _keys = new(Some.KeyRing());
    private WebApplication? _app;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _http.Dispose();
        SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Fact]
    public async Task Probe_EverythingInOrder_IsHealthy()
    {
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        var (status, report) = await ProbeAsync();

        status.Should().Be(HttpStatusCode.OK);
        report.GetProperty("status").GetString().Should().Be("Healthy");
        foreach (var check in new[] { EInvoiceTransmissionHealthChecks.KeyRing, EInvoiceTransmissionHealthChecks.Storage, EInvoiceTransmissionHealthChecks.Tokens, EInvoiceTransmissionHealthChecks.Expiry })
        {
            Entry(report, check).GetProperty("status").GetString().Should().Be("Healthy", check);
        }

        Entry(report, EInvoiceTransmissionHealthChecks.Storage).GetProperty("data").GetProperty("schemaVersion").GetInt32().Should().Be(7);
    }

    [Fact]
    public async Task Probe_SecretExpiresWithinTheFirstThreshold_IsDegradedNamingCompanyAndSecret()
    {
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddDays(20)), The.AdminWithMfa);
        await Store.SetAsync(The.OtherCompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddDays(60)), The.AdminWithMfa);

        var (status, report, body) = await ProbeWithBodyAsync();

        status.Should().Be(HttpStatusCode.OK);
        report.GetProperty("status").GetString().Should().Be("Degraded");
        var expiry = Entry(report, EInvoiceTransmissionHealthChecks.Expiry);
        expiry.GetProperty("status").GetString().Should().Be("Degraded");
        Strings(expiry.GetProperty("data").GetProperty("expiring")).Should().Equal($"{The.CompanyId}: client_secret expires 2026-12-16T09:30:00Z (within 30d)");
        body.Should().NotContain(The.ClientSecret).And.NotContain(The.OtherCompanyId, "60 days is beyond every threshold");
    }

    [Fact]
    public async Task Probe_SecretExpired_IsDegradedNamingItAndTheNextScanSeesARenewal()
    {
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials.WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddDays(2)), The.AdminWithMfa);
        _clock.Advance(TimeSpan.FromDays(3));

        var (status, report) = await ProbeAsync();

        status.Should().Be(HttpStatusCode.OK, "one company's expired secret does not take the service out of a load balancer");
        report.GetProperty("status").GetString().Should().Be("Degraded");
        var expiry = Entry(report, EInvoiceTransmissionHealthChecks.Expiry);
        expiry.GetProperty("status").GetString().Should().Be("Degraded");
        Strings(expiry.GetProperty("data").GetProperty("expired")).Should().Equal($"{The.CompanyId}: client_secret expired 2026-11-28T09:30:00Z");

        // Renewed: once the probe's view is older than two scan intervals, it scans again.
        await Store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("renewed")).WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, The.Now.AddYears(1)), The.AdminWithMfa);
        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        (await ProbeAsync()).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Probe_TokenRequestsRefusedWithInvalidClient_IsDegradedNamingTheCompany()
    {
        _http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_client", $"bad secret {The.ClientSecret}"));
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await FluentActions.Awaiting(() => SendAsync(The.CompanyId)).Should().ThrowAsync<OAuthTokenException>();

        var (status, report, body) = await ProbeWithBodyAsync();

        status.Should().Be(HttpStatusCode.OK, "an identity provider refusing one company does not take the service out of a load balancer");
        var tokens = Entry(report, EInvoiceTransmissionHealthChecks.Tokens);
        tokens.GetProperty("status").GetString().Should().Be("Degraded");
        Strings(tokens.GetProperty("data").GetProperty("failingPermanently")).Should().Equal($"{The.CompanyId}: invalid_client (1 failures)");
        body.Should().NotContain(The.ClientSecret);
    }

    [Fact]
    public async Task Probe_TokenEndpointUnavailable_IsDegradedWhileBackingOff()
    {
        _http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(HttpStatusCode.ServiceUnavailable);
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await FluentActions.Awaiting(() => SendAsync(The.CompanyId)).Should().ThrowAsync<OAuthTokenException>();

        var (status, report) = await ProbeAsync();

        status.Should().Be(HttpStatusCode.OK);
        var tokens = Entry(report, EInvoiceTransmissionHealthChecks.Tokens);
        tokens.GetProperty("status").GetString().Should().Be("Degraded");
        Strings(tokens.GetProperty("data").GetProperty("backingOff")).Should().ContainSingle().Which.Should().StartWith($"{The.CompanyId}: ");
    }

    [Fact]
    public async Task Probe_KeyRingUnavailable_IsUnhealthy()
    {
        await StartAsync();
        _keys.Fail = true;

        var (status, report) = await ProbeAsync();

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        Entry(report, EInvoiceTransmissionHealthChecks.KeyRing).GetProperty("status").GetString().Should().Be("Unhealthy");
        Entry(report, EInvoiceTransmissionHealthChecks.Storage).GetProperty("status").GetString().Should().Be("Healthy");
    }

    [Fact]
    public async Task Probe_SchemaBehindOrAhead_IsUnhealthyOrDegraded()
    {
        await StartAsync();
        await Store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);
        await using var connection = new SqliteConnection(_file.ConnectionString);
        await connection.ExecuteAsync("INSERT INTO eits_schema_version (version, description, applied_at) VALUES (8, 'from a newer release', 0)");

        var (aheadStatus, ahead) = await ProbeAsync();
        // Behind: the version table says 6 and the repository (already migrated in this process) will not run 7 again.
        await connection.ExecuteAsync("DELETE FROM eits_schema_version WHERE version >= 7");
        var (behindStatus, behind) = await ProbeAsync();

        aheadStatus.Should().Be(HttpStatusCode.OK);
        Entry(ahead, EInvoiceTransmissionHealthChecks.Storage).GetProperty("status").GetString().Should().Be("Degraded");
        behindStatus.Should().Be(HttpStatusCode.ServiceUnavailable);
        var storage = Entry(behind, EInvoiceTransmissionHealthChecks.Storage);
        storage.GetProperty("status").GetString().Should().Be("Unhealthy");
        storage.GetProperty("description").GetString().Should().Contain("schema version 6").And.Contain("needs 7");
    }

    [Fact]
    public async Task Probe_DatabaseRefusesConnections_IsUnhealthyWithoutTheConnectionString()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        const string Password = "CANARY-db-password-7d21";
        await StartAsync(builder => builder.UsePostgreSql($"Host=127.0.0.1;Port={port};Username=eits;Password={Password};Timeout=2"));

        var (status, report, body) = await ProbeWithBodyAsync();

        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        Entry(report, EInvoiceTransmissionHealthChecks.Storage).GetProperty("description").GetString().Should().Contain("did not answer");
        body.Should().NotContain(Password);
    }

    private CredentialStore Store => _app!.Services.GetRequiredService<CredentialStore>();

    private async Task StartAsync(Action<IEInvoiceTransmissionBuilder>? storage = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddSingleton<IMfaVerifier>(sp => new TestMfaVerifier(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IKeyEncryptionKeyProvider>(_keys);
        var transmission = builder.Services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = The.KeyId;
            vault.Keys[The.KeyId] = The.Key;
        });
        if (storage is null)
        {
            transmission.UseSqlite(_file.ConnectionString);
        }
        else
        {
            storage(transmission);
        }

        builder.Services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => _http);
        builder.Services.AddHttpClient("api").AddEInvoiceAuthentication(TransmissionEnvironment.Production).ConfigurePrimaryHttpMessageHandler(() => _http);
        builder.Services.AddHealthChecks().AddEInvoiceTransmissionChecks("ready");
        _app = builder.Build();
        _app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
            ResponseWriter = WriteJsonAsync,
        });
        await _app.StartAsync();
    }

    private async Task SendAsync(string companyId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(The.ApiEndpoint, "invoices")) { Content = new StringContent("<Invoice/>") };
        using var response = await _app!.Services.GetRequiredService<IHttpClientFactory>().CreateClient("api").SendAsync(request.SetCompanyId(companyId));
    }

    private async Task<(HttpStatusCode Status, JsonElement Report)> ProbeAsync()
    {
        var (status, report, _) = await ProbeWithBodyAsync();
        return (status, report);
    }

    private async Task<(HttpStatusCode Status, JsonElement Report, string Body)> ProbeWithBodyAsync()
    {
        using var response = await _app!.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone(), body);
    }

    private static JsonElement Entry(JsonElement report, string name) => report.GetProperty("entries").GetProperty(name);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The report as JSON, as hosts commonly publish it (status, and each entry's status, description and data).</summary>
    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            entries = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data.ToDictionary(d => d.Key, d => d.Value),
            }),
        }));
    }

    /// <summary>A key provider that can stop answering, as a KMS or HSM that is down.</summary>
    private sealed class SwitchableKeyProvider(KeyEncryptionKeyRing ring) : IKeyEncryptionKeyProvider
    {
        public bool Fail { get; set; }

        public KeyEncryptionKeyRing GetKeyRing() => Fail ? throw new InvalidOperationException("the key service is unreachable") : ring;
    }
}
