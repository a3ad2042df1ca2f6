// Writes one upgrade fixture set (credentials.sqlite, a live PostgreSQL database to dump, manifest.json) with the
// library code of the commit that -p:EitsRoot points at, through its public API only. See ../README.md.
//
//   write:        dotnet run -p:EitsRoot=<worktree> -- write -set <name> -commit <sha> -tag <canary tag> -out <dir> [-postgres <conn>]
//   verify-dump:  dotnet run -p:EitsRoot=<worktree> -- verify-dump -dump <postgresql.sql> -manifest <manifest.json> -postgres <conn to an admin db>
//
// The data written is fixed (FixtureData); only timestamps, envelope bytes (fresh nonces and data keys) and hashes
// differ from one run to the next, and the manifest records them as they were written.
using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dapper;
using EInvoice.Transmission.Security;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EInvoice.Transmission.Security.FixtureGenerator;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            var command = args.Length > 0 ? args[0] : string.Empty;
            var options = Options.Parse(args.Skip(1).ToArray());
            switch (command)
            {
                case "write":
                    await Writer.RunAsync(options);
                    return 0;
                case "verify-dump":
                    await DumpVerifier.RunAsync(options);
                    return 0;
                default:
                    Console.Error.WriteLine("usage: write -set <name> -commit <sha> -tag <canary tag> -out <dir> [-postgres <conn>] | verify-dump -dump <file> -manifest <file> -postgres <admin conn>");
                    return 2;
            }
        }
        catch (FixtureException ex)
        {
            Console.Error.WriteLine($"FIXTURE CHECK FAILED: {ex.Message}");
            return 1;
        }
    }
}

/// <summary>The worktree this generator was built against (-p:EitsRoot), so a set is never written by the wrong commit.</summary>
internal static class BuiltFrom
{
    public static string CheckCommit(string commit)
    {
        var root = typeof(BuiltFrom).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "EitsRoot").Value!;
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["-C", root, "rev-parse", "HEAD"])
        {
            RedirectStandardOutput = true,
        })!;
        var head = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        if (git.ExitCode != 0 || !head.StartsWith(commit, StringComparison.OrdinalIgnoreCase) || commit.Length < 7)
        {
            throw new FixtureException($"-commit {commit} is not the commit of {root} ({head}), the worktree this generator was built against");
        }

        using var dirty = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["-C", root, "status", "--porcelain", "--", "src"])
        {
            RedirectStandardOutput = true,
        })!;
        var changes = dirty.StandardOutput.ReadToEnd().Trim();
        dirty.WaitForExit();
        if (changes.Length > 0)
        {
            throw new FixtureException($"{root}/src has local changes: the fixtures must be written by the commit as it is\n{changes}");
        }

        Console.WriteLine($"library code: {root} at {head}");
        return head;
    }
}

internal sealed class FixtureException(string message) : Exception(message);

internal sealed record Options(IReadOnlyDictionary<string, string> Values)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new Options(values);
    }

    public string Required(string name) => Values.TryGetValue(name, out var value) && value.Length > 0
        ? value
        : throw new FixtureException($"missing option -{name}");

    public string? Optional(string name) => Values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

/// <summary>Everything the fixture writes that does not depend on when it was written.</summary>
internal sealed class FixtureData(string tag)
{
    public const string KeyId = "fixture_2026";
    public const string Actor = "fixture-admin@example.test";
    public const string MfaMethod = "fixture-totp";
    public const string ApiClientName = "fixture-api";
    public const long ExpiresInSent = 315_360_000; // ~10 years, as the token endpoint answers it

    /// <summary>A fixed 32-byte key: SHA-256 of a fixed text. A test key, never a real one.</summary>
    public static readonly byte[] Key = SHA256.HashData(Encoding.UTF8.GetBytes("EInvoice.Transmission.Security upgrade fixture KEK fixture_2026"));

    public static string KeyBase64 => Convert.ToBase64String(Key);

    public string Tag { get; } = tag;

    public string MfaEvidence => $"CANARY-{Tag}-mfa-evidence";

    public Company OAuth { get; } = new()
    {
        CompanyId = "fx-oauth",
        Mode = TransmissionMode.DirectDctce,
        Environment = TransmissionEnvironment.Production,
        ClientId = "fx-oauth-client",
        ClientSecret = $"CANARY-{tag}-fx-oauth-client-secret",
        TokenEndpoint = "https://auth.fixture.example/oauth2/token",
        ApiEndpoint = "https://api.fixture.example/v1/",
        Scope = "einvoice:transmit einvoice:status",
        AccessToken = $"CANARY-{tag}-fx-oauth-access-token",
        RefreshToken = $"CANARY-{tag}-fx-oauth-refresh-token",
    };

    public Company Asp { get; } = new()
    {
        CompanyId = "fx-asp",
        Mode = TransmissionMode.AspProvider,
        Environment = TransmissionEnvironment.Production,
        ApiKey = $"CANARY-{tag}-fx-asp-api-key",
        AspEndpoint = "https://asp.fixture.example/v2/",
        AspIdentifier = "0009:FX000000000001",
        AspProviderName = "Fixture ASP",
    };

    public Company Sandbox { get; } = new()
    {
        CompanyId = "fx-sandbox",
        Mode = TransmissionMode.Sandbox,
        Environment = TransmissionEnvironment.Sandbox,
    };

    /// <summary>Created with <see cref="Company.InitialClientSecret"/>, then updated to <see cref="Company.ClientSecret"/>.</summary>
    public Company OAuthUpdated { get; } = new()
    {
        CompanyId = "fx-oauth-updated",
        Mode = TransmissionMode.DirectDctce,
        Environment = TransmissionEnvironment.Production,
        ClientId = "fx-oauth-updated-client",
        ClientSecret = $"CANARY-{tag}-fx-oauth-updated-client-secret-current",
        InitialClientSecret = $"CANARY-{tag}-fx-oauth-updated-client-secret-initial",
        RefusedClientSecret = $"CANARY-{tag}-fx-oauth-updated-client-secret-refused",
        TokenEndpoint = "https://auth.fixture.example/oauth2/token",
        ApiEndpoint = "https://api.fixture.example/v1/",
        Scope = "einvoice:transmit",
    };

    public IReadOnlyList<Company> Companies => [OAuth, Asp, Sandbox, OAuthUpdated];

    /// <summary>The field names that envelopes are bound to (associated data), as CredentialVault.Open needs them.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvelopeFields = new Dictionary<string, string>
    {
        ["clientSecret"] = "dctce.client_secret",
        ["apiKey"] = "asp.api_key",
        ["accessToken"] = "token.access",
        ["refreshToken"] = "token.refresh",
        ["destinationSeal"] = "row.destination",
    };
}

internal sealed class Company
{
    public required string CompanyId { get; init; }
    public required TransmissionMode Mode { get; init; }
    public required TransmissionEnvironment Environment { get; init; }
    public string? ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public string? InitialClientSecret { get; init; }
    public string? RefusedClientSecret { get; init; }
    public string? TokenEndpoint { get; init; }
    public string? ApiEndpoint { get; init; }
    public string? Scope { get; init; }
    public string? ApiKey { get; init; }
    public string? AspEndpoint { get; init; }
    public string? AspIdentifier { get; init; }
    public string? AspProviderName { get; init; }
    public string? AccessToken { get; init; }
    public string? RefreshToken { get; init; }

    public CredentialUpdate ToCreate() => new()
    {
        Mode = Mode,
        Environment = Environment,
        ClientId = ClientId,
        ClientSecret = (InitialClientSecret ?? ClientSecret) is { } secret ? new SecretValue(secret) : null,
        TokenEndpoint = TokenEndpoint is null ? null : new Uri(TokenEndpoint),
        ApiEndpoint = ApiEndpoint is null ? null : new Uri(ApiEndpoint),
        Scope = Scope,
        ApiKey = ApiKey is null ? null : new SecretValue(ApiKey),
        AspEndpoint = AspEndpoint is null ? null : new Uri(AspEndpoint),
        AspIdentifier = AspIdentifier,
        AspProviderName = AspProviderName,
    };
}

/// <summary>Approves every proof, dated now: the fixture is about storage, not about MFA.</summary>
internal sealed class ApprovingMfaVerifier(TimeProvider timeProvider) : IMfaVerifier
{
#if EITS_MFA_CONTEXT
    public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
        => Task.FromResult(MfaVerificationResult.Verified(timeProvider.GetUtcNow()));
#else
    public Task<MfaVerificationResult> VerifyAsync(string actor, MfaProof proof, CancellationToken cancellationToken)
        => Task.FromResult(MfaVerificationResult.Verified(timeProvider.GetUtcNow()));
#endif
}

/// <summary>What the fake endpoints saw; shared by the handler instances IHttpClientFactory creates.</summary>
internal sealed class Traffic
{
    public int TokenRequests;
    public bool RefuseTokenRequests;
    public readonly List<string> Problems = [];
    public readonly List<(string CompanyUri, string? Authorization)> ApiCalls = [];
}

/// <summary>The OAuth token endpoint, as the token client's primary handler: no network, no port.</summary>
internal sealed class FakeTokenEndpoint(FixtureData data, Traffic traffic) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref traffic.TokenRequests);
        var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var fields = form.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);
        var company = data.OAuth;
        string? problem = null;
        if (traffic.RefuseTokenRequests)
        {
            problem = "a token request was sent although a stored token should have been used";
        }
        else if (request.RequestUri?.ToString() != company.TokenEndpoint)
        {
            problem = $"token request to {request.RequestUri}";
        }
        else if (fields.GetValueOrDefault("grant_type") != "client_credentials"
            || fields.GetValueOrDefault("client_id") != company.ClientId
            || fields.GetValueOrDefault("client_secret") != company.ClientSecret
            || fields.GetValueOrDefault("scope") != company.Scope)
        {
            problem = "unexpected token request form (grant, client id, secret or scope)";
        }

        if (problem is not null)
        {
            lock (traffic.Problems)
            {
                traffic.Problems.Add(problem);
            }

            return new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                Content = JsonContent.Create(new { error = "invalid_request" }),
            };
        }

        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = JsonContent.Create(new Dictionary<string, object>
            {
                ["access_token"] = company.AccessToken!,
                ["token_type"] = "Bearer",
                ["expires_in"] = FixtureData.ExpiresInSent,
                ["refresh_token"] = company.RefreshToken!,
                ["scope"] = company.Scope!,
            }),
        };
    }
}

/// <summary>The e-invoice API, as the primary handler of the authenticated client: records what was attached.</summary>
internal sealed class FakeApi(Traffic traffic) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (traffic.ApiCalls)
        {
            traffic.ApiCalls.Add((request.RequestUri!.ToString(), request.Headers.Authorization?.ToString()));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted) { Content = JsonContent.Create(new { status = "accepted" }) });
    }
}

/// <summary>A database the fixture is written to: SQLite file or PostgreSQL database.</summary>
internal sealed record Target(string Name, string ConnectionString)
{
    public bool IsSqlite => Name == "sqlite";

    public void Use(IEInvoiceTransmissionBuilder builder)
    {
        if (IsSqlite)
        {
            builder.UseSqlite(ConnectionString);
        }
        else
        {
            builder.UsePostgreSql(ConnectionString);
        }
    }

    public void ClearPools()
    {
        if (IsSqlite)
        {
            SqliteConnection.ClearAllPools();
        }
        else
        {
            NpgsqlConnection.ClearAllPools();
        }
    }
}

internal static class Hosting
{
    public static async Task<IHost> StartAsync(Target target, FixtureData data, Traffic traffic)
    {
        // No defaults: no appsettings, no environment variables, so nothing on this machine changes what is written.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(VaultConfiguration());
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IMfaVerifier, ApprovingMfaVerifier>();
        var eits = builder.Services.AddEInvoiceTransmission(builder.Configuration.GetSection("EInvoiceTransmission"));
        target.Use(eits);

        // The library's own token client, with the fake endpoint as its primary handler (the last one configured wins).
        builder.Services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new FakeTokenEndpoint(data, traffic));
        builder.Services.AddHttpClient(FixtureData.ApiClientName)
            .AddEInvoiceAuthentication(TransmissionEnvironment.Production)
            .ConfigurePrimaryHttpMessageHandler(() => new FakeApi(traffic));

        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public static Dictionary<string, string?> VaultConfiguration() => new()
    {
        ["EInvoiceTransmission:Vault:ActiveKeyId"] = FixtureData.KeyId,
        [$"EInvoiceTransmission:Vault:Keys:{FixtureData.KeyId}"] = FixtureData.KeyBase64,
    };

    public static async Task StopAsync(IHost host, Target target)
    {
        await host.StopAsync();
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }

        target.ClearPools();
    }

    public static async Task<HttpStatusCode> TransmitAsync(IHost host, Company company)
    {
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(FixtureData.ApiClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(company.ApiEndpoint!), "invoices"))
        {
            Content = JsonContent.Create(new { invoiceNumber = "FX-0001", currency = "EUR", total = 100.00m }),
        };
        request.SetCompanyId(company.CompanyId);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, Options);
}

/// <summary>Writes the data through the public API, then reads it back in a fresh host and checks every value.</summary>
internal static class Writer
{
    public static async Task RunAsync(Options options)
    {
        var set = options.Required("set");
        var commit = options.Required("commit");
        var commitFull = BuiltFrom.CheckCommit(commit);
        var data = new FixtureData(options.Required("tag"));
        var output = Directory.CreateDirectory(options.Required("out")).FullName;
        var sqlitePath = Path.Combine(output, "credentials.sqlite");
        foreach (var file in new[] { sqlitePath, sqlitePath + "-wal", sqlitePath + "-shm", sqlitePath + "-journal" })
        {
            if (File.Exists(file))
            {
                throw new FixtureException($"{file} exists: write into an empty directory");
            }
        }

        var targets = new List<Target> { new("sqlite", $"Data Source={sqlitePath};Pooling=False") };
        if (options.Optional("postgres") is { } postgres)
        {
            targets.Add(new Target("postgresql", postgres));
        }

        var databases = new JsonObject();
        foreach (var target in targets)
        {
            Console.WriteLine($"[{target.Name}] writing with the code of {commit}");
            await WriteAsync(target, data);
            Console.WriteLine($"[{target.Name}] reading back");
            var record = await ReadBack.RunAsync(target, data);
            if (target.IsSqlite)
            {
                record["file"] = "credentials.sqlite";
                record["journalMode"] = FinishSqliteFile(sqlitePath);
                record["journalModeNote"] = "the generator checkpointed the WAL and set journal_mode=DELETE after writing, so the file stands alone (no -wal/-shm); the library sets WAL again when it opens it";
            }
            else
            {
                record["file"] = "postgresql.sql";
            }

            databases[target.Name] = record;
        }

        var manifest = Manifest.Build(set, commit, commitFull, data, databases);
        var manifestPath = Path.Combine(output, "manifest.json");
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString(Json.Options) + "\n");
        Console.WriteLine($"wrote {manifestPath}");
    }

    private static async Task WriteAsync(Target target, FixtureData data)
    {
        var traffic = new Traffic();
        var host = await Hosting.StartAsync(target, data, traffic);
        try
        {
            var store = host.Services.GetRequiredService<CredentialStore>();
            var approved = new CredentialChangeContext(FixtureData.Actor, new MfaProof(FixtureData.MfaMethod, new SecretValue(data.MfaEvidence)));

            // 1. fx-oauth, then one transmission: the token endpoint answers an access and a refresh token, stored sealed.
            await store.SetAsync(data.OAuth.CompanyId, data.OAuth.ToCreate(), approved);
            var status = await Hosting.TransmitAsync(host, data.OAuth);
            Check(status == HttpStatusCode.Accepted, $"the transmission of {data.OAuth.CompanyId} was answered {status}");
            Check(traffic.TokenRequests == 1, $"{traffic.TokenRequests} token requests instead of 1");
            Check(traffic.ApiCalls.Single().Authorization == $"Bearer {data.OAuth.AccessToken}", "the API did not receive the fixture's access token");
            var afterToken = await store.GetStatusAsync(data.OAuth.CompanyId);
            Check(afterToken?.AccessTokenExpiresAt is not null, "the access token was not stored");

            // 2. fx-asp, 3. fx-sandbox.
            await store.SetAsync(data.Asp.CompanyId, data.Asp.ToCreate(), approved);
            await store.SetAsync(data.Sandbox.CompanyId, data.Sandbox.ToCreate(), approved);

            // 4. fx-oauth-updated: created, its client secret changed once, and one change refused for want of an MFA proof.
            var updated = data.OAuthUpdated;
            await store.SetAsync(updated.CompanyId, updated.ToCreate(), approved);
            await store.SetAsync(updated.CompanyId, new CredentialUpdate { ClientSecret = new SecretValue(updated.ClientSecret!) }, approved);
            try
            {
                await store.SetAsync(
                    updated.CompanyId,
                    new CredentialUpdate { ClientSecret = new SecretValue(updated.RefusedClientSecret!) },
                    new CredentialChangeContext(FixtureData.Actor, null));
                throw new FixtureException("a change without an MFA proof was accepted");
            }
            catch (CredentialChangeRefusedException ex) when (ex.Reason == CredentialChangeRefusalReason.MfaMissing)
            {
            }

            Check(traffic.Problems.Count == 0, string.Join("; ", traffic.Problems));
        }
        finally
        {
            await Hosting.StopAsync(host, target);
        }
    }

    /// <summary>Folds the write-ahead log into the file and leaves a self-contained file (rollback journal, no -wal/-shm).</summary>
    private static string FinishSqliteFile(string path)
    {
        SqliteConnection.ClearAllPools();
        string mode;
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            var checkpoint = connection.QuerySingle<(long Busy, long Log, long Checkpointed)>("PRAGMA wal_checkpoint(TRUNCATE)");
            Check(checkpoint.Busy == 0, "the WAL checkpoint was blocked");
            mode = connection.ExecuteScalar<string>("PRAGMA journal_mode=DELETE")!;
            Check(mode == "delete", $"journal_mode is {mode}");
            var integrity = connection.ExecuteScalar<string>("PRAGMA integrity_check");
            Check(integrity == "ok", $"integrity_check: {integrity}");
        }

        SqliteConnection.ClearAllPools();
        foreach (var side in new[] { "-wal", "-shm", "-journal" })
        {
            Check(!File.Exists(path + side), $"{path}{side} is left");
        }

        return mode;
    }

    public static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw new FixtureException(problem);
        }
    }
}

/// <summary>
/// Opens a written database in a fresh host (nothing cached) and checks every plain field, every envelope (opened
/// with CredentialVault), the audit trail and the stored token; returns what the manifest records for it.
/// </summary>
internal static class ReadBack
{
    private static readonly string[] Tables = ["eits_credentials", "eits_audit", "eits_audit_head", "eits_schema_version"];

    public static async Task<JsonObject> RunAsync(Target target, FixtureData data)
    {
        var traffic = new Traffic { RefuseTokenRequests = true };
        var host = await Hosting.StartAsync(target, data, traffic);
        try
        {
            var store = host.Services.GetRequiredService<CredentialStore>();
            var repository = host.Services.GetRequiredService<ICredentialRepository>();
            var vault = host.Services.GetRequiredService<CredentialVault>();
            var dataSource = host.Services.GetRequiredKeyedService<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey);

            var companies = new JsonObject();
            var rowVersions = new Dictionary<string, long>();
            foreach (var company in data.Companies)
            {
                var row = await repository.GetAsync(company.CompanyId) ?? throw new FixtureException($"{company.CompanyId} is missing");
                var statusOf = await store.GetStatusAsync(company.CompanyId) ?? throw new FixtureException($"{company.CompanyId} has no status");
                rowVersions[company.CompanyId] = row.RowVersion;
                CheckPlain(company, row);
                Writer.Check(Open(vault, row.ClientSecret, row.CompanyId, "clientSecret") == company.ClientSecret, $"{company.CompanyId}: client secret");
                Writer.Check(Open(vault, row.ApiKey, row.CompanyId, "apiKey") == company.ApiKey, $"{company.CompanyId}: API key");
                Writer.Check(Open(vault, row.AccessToken, row.CompanyId, "accessToken") == company.AccessToken, $"{company.CompanyId}: access token");
                Writer.Check(Open(vault, row.RefreshToken, row.CompanyId, "refreshToken") == company.RefreshToken, $"{company.CompanyId}: refresh token");
                Writer.Check((company.AccessToken is null) == (row.AccessTokenExpiresAt is null), $"{company.CompanyId}: token expiry");
                Writer.Check(row.DestinationSeal is not null, $"{company.CompanyId}: no destination seal");
                Writer.Check(statusOf.IsConfigured, $"{company.CompanyId}: not configured");

                var keyIds = new JsonObject();
                foreach (var (name, envelope) in Envelopes(row))
                {
                    keyIds[name] = CredentialVault.GetKeyId(envelope);
                }

                companies[company.CompanyId] = new JsonObject
                {
                    ["version"] = row.Version,
                    ["rowVersion"] = row.RowVersion,
                    ["configuredAt"] = Json.Node(row.ConfiguredAt),
                    ["configuredBy"] = row.ConfiguredBy,
                    ["accessTokenExpiresAt"] = Json.Node(row.AccessTokenExpiresAt),
                    ["accessTokenRefreshAt"] = Json.Node(row.AccessTokenRefreshAt),
                    ["isValid"] = row.IsValid,
                    ["lastValidatedAt"] = Json.Node(row.LastValidatedAt),
                    ["envelopeKeyIds"] = keyIds,
                    ["destinationSealPlaintext"] = Encoding.UTF8.GetString(vault.Open(row.DestinationSeal!, row.CompanyId, FixtureData.EnvelopeFields["destinationSeal"])),
                    ["status"] = Json.Node(statusOf),
                    ["storedRow"] = Json.Node(row),
                };
            }

            // The audit trail: every entry, and the library's own verification of the chain.
            var entries = await store.ReadAuditTrailAsync(0, 1000);
            var verification = await store.VerifyAuditTrailAsync();
            Writer.Check(verification.IsIntact, $"the audit trail is not intact: {verification.Problem}");
            Writer.Check(entries.Count == 6 && verification.EntryCount == 6, $"{entries.Count} audit entries instead of 6");
            var expected = new (string Company, AuditAction Action, AuditOutcome Outcome)[]
            {
                (data.OAuth.CompanyId, AuditAction.CredentialsCreated, AuditOutcome.Succeeded),
                (data.Asp.CompanyId, AuditAction.CredentialsCreated, AuditOutcome.Succeeded),
                (data.Sandbox.CompanyId, AuditAction.CredentialsCreated, AuditOutcome.Succeeded),
                (data.OAuthUpdated.CompanyId, AuditAction.CredentialsCreated, AuditOutcome.Succeeded),
                (data.OAuthUpdated.CompanyId, AuditAction.CredentialsUpdated, AuditOutcome.Succeeded),
                (data.OAuthUpdated.CompanyId, AuditAction.CredentialsUpdated, AuditOutcome.Refused),
            };
            for (var i = 0; i < expected.Length; i++)
            {
                var e = entries[i];
                Writer.Check(e.CompanyId == expected[i].Company && e.Action == expected[i].Action && e.Outcome == expected[i].Outcome, $"audit entry {i + 1}: {e.CompanyId} {e.Action} {e.Outcome}");
            }

            // The stored token is used as it is: one transmission, no token request, the same access token attached.
            var sent = await Hosting.TransmitAsync(host, data.OAuth);
            Writer.Check(sent == HttpStatusCode.Accepted && traffic.TokenRequests == 0, $"read-back transmission: {sent}, {traffic.TokenRequests} token requests");
            Writer.Check(traffic.ApiCalls.Single().Authorization == $"Bearer {data.OAuth.AccessToken}", "read-back transmission: another token was attached");
            foreach (var company in data.Companies)
            {
                var row = await repository.GetAsync(company.CompanyId);
                Writer.Check(row!.RowVersion == rowVersions[company.CompanyId], $"{company.CompanyId} was changed by reading it back");
            }

            // Raw facts of the database.
            await using var connection = await dataSource.OpenConnectionAsync();
            var versions = (await connection.QueryAsync<(long Version, string Description, long AppliedAt)>(
                "SELECT version, description, applied_at FROM eits_schema_version ORDER BY version")).ToList();
            var counts = new JsonObject();
            foreach (var table in Tables)
            {
                counts[table] = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
            }

            var canaryHits = await SearchCanariesAsync(connection, data);
            Writer.Check(canaryHits.Count == 0, $"canaries in clear in the database: {string.Join(", ", canaryHits)}");

            return new JsonObject
            {
                ["schemaVersion"] = versions.Max(v => v.Version),
                ["schemaVersions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject
                {
                    ["version"] = v.Version,
                    ["description"] = v.Description,
                    ["appliedAtUnixMs"] = v.AppliedAt,
                }).ToArray()),
                ["tableRowCounts"] = counts,
                ["auditEntryCount"] = entries.Count,
                ["auditHeadHash"] = verification.HeadHash,
                ["auditVerification"] = Json.Node(verification),
                ["companies"] = companies,
                ["auditEntries"] = Json.Node(entries),
            };
        }
        finally
        {
            await Hosting.StopAsync(host, target);
        }
    }

    private static IEnumerable<(string Name, byte[] Envelope)> Envelopes(StoredCredential row)
    {
        if (row.ClientSecret is { } a) yield return ("clientSecret", a);
        if (row.ApiKey is { } b) yield return ("apiKey", b);
        if (row.AccessToken is { } c) yield return ("accessToken", c);
        if (row.RefreshToken is { } d) yield return ("refreshToken", d);
        if (row.DestinationSeal is { } e) yield return ("destinationSeal", e);
    }

    private static string? Open(CredentialVault vault, byte[]? envelope, string companyId, string field)
        => envelope is null ? null : Encoding.UTF8.GetString(vault.Open(envelope, companyId, FixtureData.EnvelopeFields[field]));

    private static void CheckPlain(Company company, StoredCredential row)
    {
        void Same(string? actual, string? wanted, string what)
            => Writer.Check(actual == wanted, $"{company.CompanyId}: {what} is '{actual}', not '{wanted}'");

        Writer.Check(row.Mode == company.Mode, $"{company.CompanyId}: mode {row.Mode}");
        Same(row.Environment, company.Environment.Name, "environment");
        Same(row.ClientId, company.ClientId, "client id");
        Same(row.TokenEndpoint, company.TokenEndpoint, "token endpoint");
        Same(row.ApiEndpoint, company.ApiEndpoint, "API endpoint");
        Same(row.Scope, company.Scope, "scope");
        Same(row.AspEndpoint, company.AspEndpoint, "ASP endpoint");
        Same(row.AspIdentifier, company.AspIdentifier, "ASP identifier");
        Same(row.AspProviderName, company.AspProviderName, "ASP provider name");
    }

    /// <summary>No canary may be readable in any text column, and the lease must be free.</summary>
    private static async Task<List<string>> SearchCanariesAsync(DbConnection connection, FixtureData data)
    {
        var hits = new List<string>();
        var leases = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eits_credentials WHERE lease_owner IS NOT NULL");
        if (leases != 0)
        {
            hits.Add($"{leases} token lease(s) left");
        }

        var all = new StringBuilder();
        foreach (var table in Tables)
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table}"))
            {
                foreach (var value in row.Values)
                {
                    all.Append(value switch
                    {
                        byte[] bytes => Encoding.Latin1.GetString(bytes),
                        null => string.Empty,
                        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                    }).Append('\n');
                }
            }
        }

        var dump = all.ToString();
        foreach (var canary in new[] { "CANARY-", data.MfaEvidence })
        {
            if (dump.Contains(canary, StringComparison.Ordinal))
            {
                hits.Add(canary);
            }
        }

        return hits;
    }
}

internal static class Manifest
{
    private static string SealFormat(JsonObject databases)
    {
        var seals = databases.SelectMany(d => d.Value!["companies"]!.AsObject().Select(c => c.Value!["destinationSealPlaintext"]!.GetValue<string>())).ToList();
        return seals.All(x => x.StartsWith("EITS-DESTINATION-2\n", StringComparison.Ordinal)) ? "v2 (EITS-DESTINATION-2 canonical text, with the SHA-256 of the secret envelopes)"
            : seals.All(x => x.StartsWith('{')) ? "v1 (System.Text.Json of the destination record)"
            : throw new FixtureException("mixed destination seal formats");
    }

    private static JsonObject PerDatabase(JsonObject databases, string companyId, string field)
        => new(databases.Select(d => KeyValuePair.Create(d.Key, d.Value!["companies"]![companyId]![field]?.DeepClone())));

    public static JsonObject Build(string set, string commit, string commitFull, FixtureData data, JsonObject databases)
    {
        var schemaVersion = databases.Select(d => d.Value!["schemaVersion"]!.GetValue<long>()).Distinct().Single();
        var companies = new JsonArray();
        foreach (var c in data.Companies)
        {
            companies.Add(new JsonObject
            {
                ["companyId"] = c.CompanyId,
                ["mode"] = c.Mode.ToString(),
                ["environment"] = c.Environment.Name,
                ["plain"] = new JsonObject
                {
                    ["clientId"] = c.ClientId,
                    ["tokenEndpoint"] = c.TokenEndpoint,
                    ["apiEndpoint"] = c.ApiEndpoint,
                    ["scope"] = c.Scope,
                    ["aspEndpoint"] = c.AspEndpoint,
                    ["aspIdentifier"] = c.AspIdentifier,
                    ["aspProviderName"] = c.AspProviderName,
                },
                ["secrets"] = new JsonObject
                {
                    ["clientSecret"] = c.ClientSecret,
                    ["apiKey"] = c.ApiKey,
                },
                ["tokens"] = c.AccessToken is null ? null : new JsonObject
                {
                    ["accessToken"] = c.AccessToken,
                    ["refreshToken"] = c.RefreshToken,
                    ["tokenType"] = "Bearer",
                    ["expiresInSentByTokenEndpoint"] = FixtureData.ExpiresInSent,
                    // Per database: each was written by its own token request, so the moments differ by a few milliseconds.
                    ["expiresAt"] = PerDatabase(databases, c.CompanyId, "accessTokenExpiresAt"),
                    ["refreshAt"] = PerDatabase(databases, c.CompanyId, "accessTokenRefreshAt"),
                },
                ["history"] = c.InitialClientSecret is null ? null : new JsonObject
                {
                    ["createdWithClientSecret"] = c.InitialClientSecret,
                    ["updatedFields"] = new JsonArray("dctce.client_secret"),
                    ["clientSecretAfterUpdate"] = c.ClientSecret,
                    ["refusedChangeClientSecret"] = c.RefusedClientSecret,
                    ["refusedReason"] = "MfaMissing",
                    ["note"] = "createdWithClientSecret and refusedChangeClientSecret must not be readable anywhere: the first was replaced, the second never stored",
                },
                ["auditEntries"] = databases.First().Value!["auditEntries"]!.AsArray().Count(e => e!["companyId"]?.GetValue<string>() == c.CompanyId),
            });
        }

        var configuration = Hosting.VaultConfiguration();
        return new JsonObject
        {
            ["fixtureFormat"] = 1,
            ["set"] = set,
            ["writtenBy"] = new JsonObject
            {
                ["commit"] = commit,
                ["commitFull"] = commitFull,
                ["generator"] = "tests/EInvoice.Transmission.Security.Dapper.Tests/Fixtures/Generator (dotnet run -p:EitsRoot=<worktree of that commit>)",
                ["generatedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["dotnetRuntime"] = Environment.Version.ToString(),
                ["doNotRegenerate"] = "These files are evidence of what this commit wrote. Never rewrite them with newer code.",
            },
            ["schemaVersion"] = schemaVersion,
            ["destinationSealFormat"] = SealFormat(databases),
            ["auditEntriesAuthenticated"] = databases.All(d => d.Value!["auditEntries"]!.AsArray().All(e => e!["mac"] is not null)),
            ["auditEntryCount"] = databases.Select(d => d.Value!["auditEntryCount"]!.GetValue<int>()).Distinct().Single(),
            ["vault"] = new JsonObject
            {
                ["activeKeyId"] = FixtureData.KeyId,
                ["keys"] = new JsonObject { [FixtureData.KeyId] = FixtureData.KeyBase64 },
                ["keyDerivation"] = "SHA-256 of the UTF-8 text 'EInvoice.Transmission.Security upgrade fixture KEK fixture_2026' (a test key)",
                ["configuration"] = new JsonObject(configuration.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
                ["environmentVariables"] = new JsonObject(configuration.Select(kv => KeyValuePair.Create(kv.Key.Replace(":", "__", StringComparison.Ordinal), (JsonNode?)kv.Value))),
                ["options"] = "CredentialVaultOptions.ActiveKeyId = activeKeyId; CredentialVaultOptions.Keys[activeKeyId] = keys[activeKeyId] (e.g. services.AddEInvoiceTransmission(o => { ... }))",
                ["otherOptions"] = "none needed: every endpoint is https; CredentialStoreOptions.AllowHttpOnLoopback stays false",
            },
            ["mfa"] = new JsonObject
            {
                ["actor"] = FixtureData.Actor,
                ["method"] = FixtureData.MfaMethod,
                ["evidence"] = data.MfaEvidence,
                ["note"] = "the evidence canary must not be readable anywhere",
            },
            ["http"] = new JsonObject
            {
                ["authenticatedClientEnvironment"] = "Production",
                ["tokenRequests"] = "one client_credentials request for fx-oauth (ClientSecretPost); the answer carried access_token, refresh_token, token_type Bearer, expires_in 315360000",
                ["transmissions"] = "one POST to https://api.fixture.example/v1/invoices for fx-oauth while writing, and one more when reading back (the stored token, no token request)",
                ["expiryNote"] = "the library caps a token's lifetime at 365 days, so accessTokenExpiresAt is the moment of the token request + 365 days, not + 10 years",
            },
            ["howToOpen"] = new JsonObject
            {
                ["sqlite"] = "copy credentials.sqlite to a temporary file first (opening it changes it: the library switches it to WAL and migrates it), then UseSqlite(\"Data Source=<copy>\")",
                ["postgresql"] = "create an empty database, execute the whole of postgresql.sql with one NpgsqlCommand (plain SQL, INSERT statements, no psql meta-commands; it sets search_path to '' for that session), then UsePostgreSql(<connection string of that database>)",
                ["vault"] = "the key ring of 'vault'; nothing else needs configuring",
                ["client"] = "services.AddHttpClient(name).AddEInvoiceAuthentication(TransmissionEnvironment.Production) for fx-oauth / fx-asp",
                ["clock"] = "to reuse the stored access token without a token request, the clock must be before tokens.refreshAt (use a FakeTimeProvider after that date); the stored envelopes open whatever the clock",
            },
            ["envelopeFieldNames"] = new JsonObject(FixtureData.EnvelopeFields.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["companies"] = companies,
            ["databases"] = databases,
        };
    }
}

/// <summary>Restores postgresql.sql into a new empty database with Npgsql, as a test would, and checks it against the manifest.</summary>
internal static class DumpVerifier
{
    public static async Task RunAsync(Options options)
    {
        var dumpPath = options.Required("dump");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(options.Required("manifest")))!.AsObject();
        var admin = new NpgsqlConnectionStringBuilder(options.Required("postgres"));
        var sql = await File.ReadAllTextAsync(dumpPath);
        var backslashLines = sql.Split('\n').Count(line => line.StartsWith('\\'));
        Writer.Check(backslashLines == 0, $"{backslashLines} psql meta-command lines are left in {dumpPath}");
        Writer.Check(!sql.Contains("COPY ", StringComparison.Ordinal) || !sql.Contains("FROM stdin", StringComparison.Ordinal), "the dump uses COPY ... FROM stdin");

        var database = $"fx_verify_{Guid.NewGuid():N}"[..24];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {database}");
        }

        var restored = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = database, Pooling = false };
        try
        {
            await using (var connection = new NpgsqlConnection(restored.ConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }

            Console.WriteLine($"restored {dumpPath} into the empty database {database} with Npgsql");
            var data = new FixtureData(TagOf(manifest));
            var record = await ReadBack.RunAsync(new Target("postgresql", restored.ConnectionString), data);
            var recorded = manifest["databases"]!["postgresql"]!.AsObject();
            foreach (var name in new[] { "schemaVersion", "schemaVersions", "tableRowCounts", "auditEntryCount", "auditHeadHash", "auditEntries" })
            {
                Writer.Check(JsonNode.DeepEquals(record[name], recorded[name]), $"{name} of the restored database differs from the manifest");
            }

            foreach (var (companyId, node) in recorded["companies"]!.AsObject())
            {
                Writer.Check(JsonNode.DeepEquals(record["companies"]![companyId]!["storedRow"], node!["storedRow"]), $"{companyId}: the restored row differs from the manifest");
            }

            Console.WriteLine($"restored database matches the manifest: {record["tableRowCounts"]!.ToJsonString()}");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin.ConnectionString);
            await connection.OpenAsync();
            await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>The canary tag, from the fx-oauth client secret recorded in the manifest.</summary>
    private static string TagOf(JsonObject manifest)
    {
        var secret = manifest["companies"]!.AsArray().Single(c => c!["companyId"]!.GetValue<string>() == "fx-oauth")!["secrets"]!["clientSecret"]!.GetValue<string>();
        return secret["CANARY-".Length..^"-fx-oauth-client-secret".Length];
    }
}
