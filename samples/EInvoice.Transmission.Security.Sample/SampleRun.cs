using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>The whole flow, step by step: credentials with MFA, transmissions, refresh, key rotation, audit.</summary>
public static class SampleRun
{
    public const string CompanyId = "SAMPLE-AE-100234567800003";
    public const string ClientName = "einvoice-api";
    private const string Admin = "admin@sample-erp.example";

    /// <summary>How long the local platform's tokens live: short, so that the sample can show a refresh.</summary>
    private static readonly TimeSpan LocalTokenLifetime = TimeSpan.FromSeconds(6);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Runs the sample; returns 0 on success, 1 when a step fails, 2 for bad options.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken = default)
    {
        SampleOptions options;
        try
        {
            options = SampleOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await output.WriteLineAsync($"error: {ex.Message}{Environment.NewLine}{SampleOptions.Usage}");
            return 2;
        }

        var run = new Run(options, args, output);
        try
        {
            return await run.ExecuteAsync(cancellationToken);
        }
        catch (ArgumentException ex)
        {
            // The library refuses bad endpoints (plain http to a host that is not loopback, say) with a clear message.
            await output.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is OAuthTokenException or HttpRequestException or CredentialVaultException or InvalidOperationException)
        {
            await output.WriteLineAsync($"failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            await run.DisposeAsync();
        }
    }

    private sealed class Run(SampleOptions options, string[] args, TextWriter output) : IAsyncDisposable
    {
        private const int Steps = 8;
        private readonly TokenMetrics _metrics = new();
        private LocalPlatform? _platform;
        private DevelopmentKeyRing? _developmentKeys;
        private int _step;

        public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
        {
            await output.WriteLineAsync("EInvoice.Transmission.Security sample");
            await output.WriteLineAsync($"  data directory: {options.DataDirectory}");
            Directory.CreateDirectory(options.DataDirectory);

            Uri tokenEndpoint, apiEndpoint;
            string clientId, clientSecret;
            if (options.IsExternal)
            {
                (tokenEndpoint, apiEndpoint, clientId, clientSecret) = (options.TokenEndpoint!, options.ApiEndpoint!, options.ClientId!, options.ClientSecret!);
                await output.WriteLineAsync($"  platform: external, token endpoint {tokenEndpoint}, API {apiEndpoint}");
            }
            else
            {
                _platform = await LocalPlatform.StartAsync(LocalTokenLifetime, cancellationToken);
                (tokenEndpoint, apiEndpoint, clientId, clientSecret) = (_platform.TokenEndpoint, _platform.ApiEndpoint, _platform.ClientId, _platform.ClientSecret);
                await output.WriteLineAsync($"  platform: local, token endpoint {tokenEndpoint}, API {apiEndpoint} (tokens live {LocalTokenLifetime.TotalSeconds} s)");
            }

            // Phase 1: credentials, transmissions, refresh, connection test.
            await using (var host = await StartHostAsync(cancellationToken))
            {
                await Step("Set the company's OAuth client credentials (an admin with a fresh MFA step-up)");
                var store = host.Services.GetRequiredService<CredentialStore>();
                var mfa = host.Services.GetRequiredService<StepUpMfa>();
                var status = await store.SetAsync(
                    CompanyId,
                    new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Sandbox }.WithSetting(OAuthClientCredentialsKind.ClientId, clientId).WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(clientSecret)).WithSetting(OAuthClientCredentialsKind.TokenEndpoint, tokenEndpoint).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, apiEndpoint).WithSetting(OAuthClientCredentialsKind.Scope, options.Scope)
                        // The platform's portal said when this secret expires: entered with the change, sealed, reminded.
                        .WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, host.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(20)),
                    new CredentialChangeContext(Admin, mfa.StepUp(Admin, CompanyId)),
                    cancellationToken);
                await Say("status (safe to show: no secret, only whether one is stored):");
                await Say(JsonSerializer.Serialize(status, Json).Replace("\n", "\n      ", StringComparison.Ordinal));
                await Say($"expiry: {status.FirstToExpire} expires {status.ExpiresAt:O}, within the 30-day reminder threshold (CredentialExpiryReminders raises it once)");

                await Step($"Send {options.Transmissions} transmissions");
                var before = _metrics.TokenRequests;
                for (var i = 1; i <= options.Transmissions; i++)
                {
                    await TransmitAsync(host, $"#{i}", cancellationToken);
                }

                await Say($"token requests for {options.Transmissions} transmissions: {_metrics.TokenRequests - before}");

                await Step("Refresh before expiry");
                await ShowRefreshAsync(host, store, cancellationToken);

                await Step("Connection test");
                var test = await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(CompanyId, cancellationToken);
                await Say(test.Succeeded ? $"credentials work (tested at {test.TestedAt:O})" : $"credentials do not work: {test.Error}");

                await Step("Staged rollover: a wrong secret is refused, the re-issued one is promoted");
                if (options.IsExternal)
                {
                    await Say("skipped: it would send a wrong secret to your platform on purpose.");
                }
                else
                {
                    var rollover = host.Services.GetRequiredService<CredentialRollover>();
                    var staged = await rollover.StageAsync(CompanyId, new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("a-mistyped-secret")), new CredentialChangeContext(Admin, mfa.StepUp(Admin, CompanyId)), cancellationToken);
                    await Say($"staged: {string.Join(", ", staged.StagedFields)}; the current secret keeps serving");
                    var refused = await rollover.PromoteAsync(CompanyId, new CredentialChangeContext(Admin, mfa.StepUp(Admin, CompanyId)), cancellationToken: cancellationToken);
                    await Say($"promoted: {refused.IsPromoted} ({refused.ConnectionTest?.Error})");
                    await TransmitAsync(host, "while a wrong secret is staged", cancellationToken);
                    await rollover.StageAsync(CompanyId, new CredentialUpdate().WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(clientSecret)).WithSecretExpiry(OAuthClientCredentialsKind.ClientSecret, host.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(365)), new CredentialChangeContext(Admin, mfa.StepUp(Admin, CompanyId)), cancellationToken);
                    var promoted = await rollover.PromoteAsync(CompanyId, new CredentialChangeContext(Admin, mfa.StepUp(Admin, CompanyId)), cancellationToken: cancellationToken);
                    await Say($"promoted: {promoted.IsPromoted} (connection test passed: {promoted.ConnectionTest?.Succeeded}); the secret now expires {promoted.Status?.ExpiresAt:O}");
                    await TransmitAsync(host, "after the rollover", cancellationToken);
                    if (!promoted.IsPromoted || refused.IsPromoted)
                    {
                        return 1;
                    }
                }
            }

            // Phase 2: a new key-encryption key becomes active; every envelope moves to it.
            await Step("Rotate the key-encryption key and rewrap every stored secret");
            if (_developmentKeys is null)
            {
                await Say("skipped: the key ring comes from your configuration. Add a key, make it active, restart, then call RewrapAllAsync (README, Key rotation).");
            }
            else
            {
                var oldKey = _developmentKeys.ActiveKeyId;
                var newKey = _developmentKeys.AddActiveKey();
                await using (var host = await StartHostAsync(cancellationToken))
                {
                    var result = await host.Services.GetRequiredService<CredentialStore>().RewrapAllAsync(
                        Admin, new Progress<KeyRotationProgress>(), cancellationToken);
                    await Say($"active key {oldKey} -> {newKey}: {result.Rewrapped} of {result.Scanned} credentials moved, {result.FailedCompanyIds.Count} failed");
                    if (result.FailedCompanyIds.Count > 0)
                    {
                        return 1;
                    }
                }

                var retired = _developmentKeys.RetireInactiveKeys();
                await Say($"retired {retired.Count} old key(s); the ring now holds only {newKey}");
            }

            // Phase 3: only the new key; the stored token and secret still open.
            await using (var host = await StartHostAsync(cancellationToken))
            {
                await Step("Transmit again with only the new key in the ring");
                var before = _metrics.TokenRequests;
                await TransmitAsync(host, "after rotation", cancellationToken);
                await Say($"token requests: {_metrics.TokenRequests - before} (the stored token, rewrapped, was reused when still valid)");

                await Step("Verify the audit chain");
                var store = host.Services.GetRequiredService<CredentialStore>();
                var verification = await store.VerifyAuditTrailAsync(cancellationToken: cancellationToken);
                await Say(verification.IsIntact
                    ? $"intact: {verification.EntryCount} entries, head hash {verification.HeadHash}"
                    : $"BROKEN at entry {verification.FirstBrokenSequence}: {verification.Problem}");
                var last = await store.ReadAuditTrailAsync(Math.Max(0, verification.EntryCount - 3), 3, cancellationToken);
                foreach (var entry in last)
                {
                    await Say($"#{entry.Sequence} {entry.Timestamp:O} {entry.Action} {entry.Outcome} by {entry.Actor} fields [{string.Join(", ", entry.Fields)}]");
                }

                if (!verification.IsIntact)
                {
                    return 1;
                }
            }

            await output.WriteLineAsync("Done: every step succeeded.");
            return 0;
        }

        public async ValueTask DisposeAsync()
        {
            _metrics.Dispose();
            if (_platform is not null)
            {
                await _platform.DisposeAsync();
            }
        }

        private async Task<RunningHost> StartHostAsync(CancellationToken cancellationToken)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
            {
                Args = args,
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Development,
            });

            if (!builder.Configuration.GetSection("EInvoiceTransmission:Vault:Keys").GetChildren().Any())
            {
                var path = Path.Combine(options.DataDirectory, "development-keys.json");
                if (_developmentKeys is null)
                {
                    _developmentKeys = DevelopmentKeyRing.LoadOrCreate(path, out var created);
                    await Say($"!! DEVELOPMENT KEY ({(created ? "created" : "reused")}: {_developmentKeys.ActiveKeyId}, stored in {path}).");
                    await Say("!! For development only. In production set EInvoiceTransmission__Vault__ActiveKeyId and");
                    await Say("!! EInvoiceTransmission__Vault__Keys__<id> from a secret store; never keep keys in a file.");
                }

                builder.Configuration.AddInMemoryCollection(_developmentKeys.AsConfiguration());
            }

            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<StepUpMfa>();
            builder.Services.AddSingleton<IMfaVerifier>(sp => sp.GetRequiredService<StepUpMfa>());
            builder.Services
                .AddEInvoiceTransmission(builder.Configuration.GetSection("EInvoiceTransmission"))
                .UseSqlite($"Data Source={Path.Combine(options.DataDirectory, "credentials.db")}");
            builder.Services.AddHttpClient(ClientName)
                .AddEInvoiceAuthentication(TransmissionEnvironment.Sandbox)
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

            var host = builder.Build();
            await host.StartAsync(cancellationToken);
            return new RunningHost(host);
        }

        private async Task ShowRefreshAsync(RunningHost host, CredentialStore store, CancellationToken cancellationToken)
        {
            var status = await store.GetStatusAsync(CompanyId, cancellationToken);
            if (_platform is null)
            {
                await Say($"the current token expires at {status!.AccessTokenExpiresAt:O}; it is refreshed in the background 5 minutes (at most half its lifetime) before, while transmissions go on.");
                return;
            }

            var refreshesBefore = _metrics.Refreshes;
            var requestsBefore = _metrics.TokenRequests;
            var wait = LocalTokenLifetime / 2 + TimeSpan.FromMilliseconds(300);
            await Say($"the token expires at {status!.AccessTokenExpiresAt:HH:mm:ss.fff}; waiting {wait.TotalSeconds:0.0} s, past its refresh point (half its {LocalTokenLifetime.TotalSeconds} s lifetime)");
            await Task.Delay(wait, cancellationToken);
            await TransmitAsync(host, "past the refresh point (still the old token, refresh starts in the background)", cancellationToken);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (_metrics.Refreshes == refreshesBefore && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            await TransmitAsync(host, "after the refresh (new token)", cancellationToken);
            var refreshed = await store.GetStatusAsync(CompanyId, cancellationToken);
            await Say($"background refreshes: {_metrics.Refreshes - refreshesBefore}, token requests: {_metrics.TokenRequests - requestsBefore}; the new token expires at {refreshed!.AccessTokenExpiresAt:HH:mm:ss.fff}");
            await Say($"requests the platform refused for lack of a valid token, whole run: {_platform.Rejected}");
            if (_metrics.Refreshes == refreshesBefore)
            {
                throw new InvalidOperationException("The token was not refreshed before it expired.");
            }
        }

        private async Task TransmitAsync(RunningHost host, string label, CancellationToken cancellationToken)
        {
            var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
            using var request = new HttpRequestMessage(options.ApiMethod, options.ApiEndpoint ?? _platform!.ApiEndpoint);
            if (options.ApiMethod == HttpMethod.Post)
            {
                request.Content = JsonContent.Create(new { invoiceNumber = $"INV-{Guid.NewGuid():N}"[..16], currency = "AED", total = 1050.00m });
            }

            request.SetCompanyId(CompanyId);
            using var response = await client.SendAsync(request, cancellationToken);
            await Say($"transmission {label}: HTTP {(int)response.StatusCode} {response.StatusCode}");
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"The API answered {(int)response.StatusCode} {response.StatusCode}.", null, response.StatusCode);
            }
        }

        private Task Step(string title) => output.WriteLineAsync($"{Environment.NewLine}[{++_step}/{Steps}] {title}");

        private Task Say(string text) => output.WriteLineAsync("      " + text);
    }

    /// <summary>A started host that stops gracefully when disposed.</summary>
    private sealed class RunningHost(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
