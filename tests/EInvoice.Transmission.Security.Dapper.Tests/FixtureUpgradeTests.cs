using System.Net;
using System.Text.Json;
using Dapper;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Databases written by older releases (Fixtures/, never regenerated) upgraded by today's code: migration 0004 moves
/// every row into the kind model without opening a secret; every secret opens, persisted tokens are reused without a
/// token request, seals written by 0.1 (version 1) and by the fixed-field version 2 verify, the audit trail stays
/// verifiable, and an admin change afterwards seals the row again in version 3.
/// </summary>
public sealed class FixtureUpgradeTests : IDisposable
{
    private readonly List<string> _files = [];

    public static TheoryData<string> Sets => new() { "v0.1.0", "main-7974b66" };

    public void Dispose()
    {
        foreach (var file in _files)
        {
            SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task Upgrade_SqliteFixture_KeepsEverySecretTokenSealAndAuditEntry(string set)
    {
        var path = Path.Combine(Path.GetTempPath(), $"eits-fixture-{set}-{Guid.NewGuid():N}.db");
        File.Copy(Fixture(set, "credentials.sqlite"), path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        _files.Add(path);
        using var dataSource = SqliteFactory.Instance.CreateDataSource($"Data Source={path}");

        await AssertUpgradeAsync(set, "sqlite", dataSource);
    }

    [SkippableTheory]
    [MemberData(nameof(Sets))]
    public async Task Upgrade_PostgreSqlFixture_KeepsEverySecretTokenSealAndAuditEntry(string set)
    {
        var server = await PostgresDatabase.RequireConnectionStringAsync();
        var database = $"eits_fixture_{Guid.NewGuid():N}";
        await PostgresDatabase.ExecuteAsAdminAsync($"CREATE DATABASE {database}");
        try
        {
            var connectionString = PostgresDatabase.Bounded(new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString);
            await using (var restore = new NpgsqlConnection(connectionString))
            {
                // pg_dump's plain SQL, INSERT statements only; it empties search_path for its own session.
                await restore.OpenAsync();
                await restore.ExecuteAsync(await File.ReadAllTextAsync(Fixture(set, "postgresql.sql")));
            }

            NpgsqlConnection.ClearAllPools();
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await AssertUpgradeAsync(set, "postgresql", dataSource);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresDatabase.ExecuteAsAdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private static string Fixture(string set, string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", set, file);

    private static async Task AssertUpgradeAsync(string set, string database, System.Data.Common.DbDataSource dataSource)
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Fixture(set, "manifest.json")));
        var root = manifest.RootElement;
        var vault = root.GetProperty("vault");
        var keyId = vault.GetProperty("activeKeyId").GetString()!;
        var key = vault.GetProperty("keys").GetProperty(keyId).GetString()!;
        var companies = root.GetProperty("companies").EnumerateArray().ToDictionary(c => c.GetProperty("companyId").GetString()!);

        var tokenRequests = 0;
        using var http = new MockHttpMessageHandler();
        http.When(HttpMethod.Post, "https://auth.fixture.example/*").Respond(_ =>
        {
            Interlocked.Increment(ref tokenRequests);
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        });
        var repository = new DapperCredentialRepository(dataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
        await using var host = TransmissionTestHost.With().Storage(repository).Http(http).Vault(options =>
        {
            options.ActiveKeyId = keyId;
            options.Keys[keyId] = key;
        }).Start();
        host.ServeApi(new Uri("https://api.fixture.example/v1/"));
        host.ServeApi(new Uri("https://asp.fixture.example/v2/"));
        var store = host.Store;

        // Every company: the kind its mode became, the settings its mode used, its secrets, its seal intact.
        var oauth = (await store.GetStatusAsync("fx-oauth"))!;
        var plain = companies["fx-oauth"].GetProperty("plain");
        oauth.Should().BeEquivalentTo(new { Kind = OAuthClientCredentialsKind.KindName, IsDestinationIntact = true, IsConfigured = true }, set);
        oauth.Settings.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["client_id"] = plain.GetProperty("clientId").GetString()!,
            ["token_endpoint"] = plain.GetProperty("tokenEndpoint").GetString()!,
            ["api_endpoint"] = plain.GetProperty("apiEndpoint").GetString()!,
            ["scope"] = plain.GetProperty("scope").GetString()!,
        });
        oauth.SecretNames.Should().Equal("client_secret");
        var asp = (await store.GetStatusAsync("fx-asp"))!;
        plain = companies["fx-asp"].GetProperty("plain");
        asp.Should().BeEquivalentTo(new { Kind = ApiKeyKind.KindName, IsDestinationIntact = true, IsConfigured = true });
        asp.Settings.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["api_endpoint"] = plain.GetProperty("aspEndpoint").GetString()!,
            ["identifier"] = plain.GetProperty("aspIdentifier").GetString()!,
            ["provider_name"] = plain.GetProperty("aspProviderName").GetString()!,
        });
        (await store.GetStatusAsync("fx-sandbox")).Should().BeEquivalentTo(new { Kind = NoCredentialsKind.KindName, IsDestinationIntact = true, IsConfigured = true });
        (await store.GetStatusAsync("fx-oauth-updated")).Should().BeEquivalentTo(new { Kind = OAuthClientCredentialsKind.KindName, IsDestinationIntact = true, IsConfigured = true });

        foreach (var (companyId, company) in companies)
        {
            var credentials = (await host.Services.GetRequiredService<Security.Internal.TokenPathGateway>().GetCredentialsAsync(companyId, default))!;
            var secrets = company.GetProperty("secrets");
            credentials.Values.GetSecret("client_secret")?.Reveal().Should().Be(secrets.GetProperty("clientSecret").GetString(), companyId);
            credentials.Values.GetSecret("api_key")?.Reveal().Should().Be(secrets.GetProperty("apiKey").GetString(), companyId);
            credentials.Values.SecretNames.Should().HaveCount(secrets.EnumerateObject().Count(s => s.Value.ValueKind == JsonValueKind.String), "no secret is lost ({0})", companyId);
        }

        // The token persisted by the old code is sent as it is; the API key goes in its header.
        var accessToken = companies["fx-oauth"].GetProperty("tokens").GetProperty("accessToken").GetString();
        (await SendAsync(host, "fx-oauth", "https://api.fixture.example/v1/invoices")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SendAsync(host, "fx-asp", "https://asp.fixture.example/v2/invoices")).StatusCode.Should().Be(HttpStatusCode.OK);
        host.ApiCalls.Select(c => (c.Authorization, c.ApiKey)).Should().Equal(
            ($"Bearer {accessToken}", null),
            (null, companies["fx-asp"].GetProperty("secrets").GetProperty("apiKey").GetString()));
        tokenRequests.Should().Be(0, "the stored token is reused");

        // The audit trail: 0.1's entries carry no MAC, so a rotation that verified the chain vouches for them. The
        // rotation also seals every row again in version 3 (their key is already the active one).
        var entries = root.GetProperty("auditEntryCount").GetInt32();
        (await store.VerifyAuditTrailAsync()).UnkeyedEntryCount.Should().Be(set == "v0.1.0" ? entries : 0);
        (await store.RewrapAllAsync()).Should().BeEquivalentTo(new { Scanned = 4L, Rewrapped = 4L, FailedCompanyIds = Array.Empty<string>() });
        entries++;
        var audit = await store.VerifyAuditTrailAsync();
        audit.Should().BeEquivalentTo(new { IsIntact = true, EntryCount = (long)entries }, "{0} on {1}", set, database);
        var sealer = host.Services.GetRequiredService<CredentialVault>();
        foreach (var stored in await repository.ListAsync(null, 10))
        {
            System.Text.Encoding.UTF8.GetString(sealer.Open(stored.DestinationSeal!, stored.CompanyId, "row.destination")).Should().StartWith("EITS-DESTINATION-3\n");
        }

        var strict = Some.Store(repository, vault: sealer, options: new CredentialStoreOptions { AcceptLegacyDestinationSeals = false });
        foreach (var companyId in companies.Keys)
        {
            (await strict.GetStatusAsync(companyId))!.IsDestinationIntact.Should().BeTrue("{0} was sealed again in version 3", companyId);
        }

        // An admin change afterwards works on the migrated row and seals it again, now in version 3.
        await store.SetAsync("fx-asp", new CredentialUpdate().WithSetting(ApiKeyKind.HeaderName, "Ocp-Apim-Subscription-Key"), The.AdminWithMfa);
        var row = (await repository.GetAsync("fx-asp"))!;
        System.Text.Encoding.UTF8.GetString(sealer.Open(row.DestinationSeal!, "fx-asp", "row.destination"))
            .Should().StartWith("EITS-DESTINATION-3\n");
        (await store.GetStatusAsync("fx-asp"))!.IsDestinationIntact.Should().BeTrue();
        (await store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();

        // Migration 0006: no old row has an expiry; one entered now is stored, sealed and read back.
        (await store.ListStatusesAsync()).Should().OnlyContain(s => s.SecretExpiries.Count == 0);
        var expiresAt = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await store.SetAsync("fx-oauth", new CredentialUpdate().WithSecretExpiry("client_secret", expiresAt), The.AdminWithMfa);
        (await store.GetStatusAsync("fx-oauth")).Should().BeEquivalentTo(new { IsDestinationIntact = true, ExpiresAt = (DateTimeOffset?)expiresAt });
        (await host.Services.GetRequiredService<Security.Internal.TokenPathGateway>().GetCredentialsAsync("fx-asp", default))!.Values.GetSecret("api_key")!.Reveal().Should().Be(companies["fx-asp"].GetProperty("secrets").GetProperty("apiKey").GetString());
    }

    private static async Task<HttpResponseMessage> SendAsync(TransmissionTestHost host, string companyId, string uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.SetCompanyId(companyId);
        return await host.Api().SendAsync(request);
    }
}
