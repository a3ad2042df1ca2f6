using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// Drives a distinctive canary for every secret kind — client secret, API key, access tokens, refresh token, KEKs —
/// through every public path, and collects everything an attacker with logs, error reports, JSON output, the audit
/// trail or a copy of the database could read. <see cref="LeakEvidence.AssertNoCanary"/> then searches it all.
/// </summary>
public static class LeakCanaryScenario
{
    public const string ClientSecret = "CANARY-CS-7f3a91c2e4";
    public const string ApiKey = "CANARY-AK-2b8e64d0f1";
    public const string FirstAccessToken = "CANARY-AT1-91c4e7aa30";
    public const string SecondAccessToken = "CANARY-AT2-5d02f83b77";
    public const string RefreshToken = "CANARY-RT-c61a9e4712";
    public const string MfaEvidence = "CANARY-MFA-0a9d3e5b21";
    public const string SecretHeader = "CANARY-SH-4e1b7c9d02";
    public const string BasicPassword = "CANARY-BP-8a2f5e6c13";

    private const string DirectCompany = "CANARY-DIRECT-CO";
    private const string AspCompany = "CANARY-ASP-CO";
    private const string SandboxCompany = "CANARY-SANDBOX-CO";
    private const string TamperedCompany = "CANARY-TAMPERED-CO";
    private const string BasicCompany = "CANARY-BASIC-CO";

    /// <summary>Runs the whole scenario over <paramref name="repository"/>; <paramref name="readRawStorage"/> dumps its storage at the end.</summary>
    public static async Task<LeakEvidence> RunAsync(ICredentialRepository repository, Func<Task<string>> readRawStorage)
    {
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var rotatedKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var shortKek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var basicPair = $"{The.ClientId}:{ClientSecret}";
        var basicAuthorization = Convert.ToBase64String(Encoding.UTF8.GetBytes($"zatca-user:{BasicPassword}"));
        var evidence = new LeakEvidence([ClientSecret, ApiKey, FirstAccessToken, SecondAccessToken, RefreshToken, MfaEvidence, SecretHeader, BasicPassword, basicAuthorization, kek, rotatedKek, shortKek, basicPair]);
        var clock = Some.Clock();

        var http = new MockHttpMessageHandler();
        var grants = 0;
        http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(async request =>
        {
            var form = await request.Content!.ReadAsStringAsync();
            return Interlocked.Increment(ref grants) switch
            {
                1 => TokenResponses.Token(FirstAccessToken, 3600, RefreshToken),
                2 when form.Contains("grant_type=refresh_token", StringComparison.Ordinal) => TokenResponses.Token(SecondAccessToken, 3600, RefreshToken),
                3 => TokenResponses.Error(HttpStatusCode.BadRequest, "invalid_grant", $"refresh token {RefreshToken} is expired"),
                _ => TokenResponses.Error(HttpStatusCode.Unauthorized, "invalid_client", $"client secret {ClientSecret} is wrong; Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes($"{The.ClientId}:{ClientSecret}"))}"),
            };
        });
        http.When(HttpMethod.Get, The.AspEndpoint.AbsoluteUri).Respond(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized));

        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).OAuth(o => o.CredentialRecheckInterval = TimeSpan.FromHours(1)).Http(http).Vault(UseKeys(kek)).Start())
        {
            evidence.Logs.Add(host.Logs);
            host.ServeApi(The.ApiEndpoint, request =>
            {
                if (request.Headers.Authorization?.Parameter == FirstAccessToken)
                {
                    var unauthorized = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                    unauthorized.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "error=\"invalid_token\""));
                    return unauthorized;
                }

                return new HttpResponseMessage(HttpStatusCode.Accepted);
            });
            host.ServeApi(The.AspEndpoint);
            var store = host.Store;
            var mfa = new MfaProof("totp", new SecretValue(The.MfaCode));
            var admin = new CredentialChangeContext(The.Admin, mfa);

            // Set: every built-in kind (OAuth with a secret header, API key, HTTP Basic, none); then a partial update, a
            // refused one and a concurrent one.
            var direct = The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(ClientSecret))
                .WithSecret("header.cpro-account", new SecretValue(SecretHeader));
            var asp = The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKey));
            var basic = new CredentialUpdate { Kind = HttpBasicKind.KindName, Environment = TransmissionEnvironment.Production }
                .WithSetting(HttpBasicKind.UserName, "zatca-user")
                .WithSecret(HttpBasicKind.Password, new SecretValue(BasicPassword))
                .WithSetting(HttpBasicKind.ApiEndpoint, The.AspEndpoint);
            var sandbox = new CredentialUpdate { Kind = NoCredentialsKind.KindName, Environment = TransmissionEnvironment.Sandbox };
            evidence.Add(direct, asp, basic, sandbox, admin, mfa, new SecretValue(ClientSecret));
            evidence.Add(await store.SetAsync(DirectCompany, direct, admin));
            evidence.Add(await store.SetAsync(AspCompany, asp, admin));
            evidence.Add(await store.SetAsync(BasicCompany, basic, admin));

            // Staged rollover (#14): a staged canary secret is sealed, rotated below and never shown; a promotion refused.
            var rollover = host.Services.GetRequiredService<CredentialRollover>();
            evidence.Add(rollover, await rollover.StageAsync(BasicCompany, new CredentialUpdate().WithSecret(HttpBasicKind.Password, new SecretValue(BasicPassword + "-staged")), admin));
            await evidence.CaptureAsync(() => rollover.PromoteAsync(BasicCompany, new CredentialChangeContext("intruder", new MfaProof("totp", new SecretValue(MfaEvidence)))));
            evidence.Add(new CredentialPromotionResult(false, new ConnectionTestResult(The.Now, false, "refused"), await store.GetStatusAsync(BasicCompany)));
            evidence.Add(await store.SetAsync(SandboxCompany, sandbox, admin));
            await evidence.CaptureAsync(() => store.SetAsync(BasicCompany, new CredentialUpdate().WithSetting(HttpBasicKind.UserName, "user:" + BasicPassword), admin));
            await evidence.CaptureAsync(() => store.SetAsync(DirectCompany, new CredentialUpdate().WithSecret("header.cpro-account", new SecretValue(SecretHeader + "\r\nX-Evil: 1")), admin));
            evidence.Add(await store.SetAsync(DirectCompany, new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.Scope, "einvoice:transmit"), admin));
            await evidence.CaptureAsync(() => store.SetAsync(AspCompany, new CredentialUpdate {  }.WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKey)), new CredentialChangeContext("intruder", null)));
            await evidence.CaptureAsync(() => store.SetAsync(AspCompany, new CredentialUpdate {  }.WithSecret(ApiKeyKind.ApiKey, new SecretValue(ApiKey)), new CredentialChangeContext("intruder", new MfaProof("totp", new SecretValue(MfaEvidence)))));
            await evidence.CaptureAsync(() => store.SetAsync(AspCompany, new CredentialUpdate { ExpectedVersion = 42 }.WithSetting(ApiKeyKind.Identifier, "stale"), admin));
            await evidence.CaptureAsync(() => store.SetAsync(DirectCompany, new CredentialUpdate {  }.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://auth.example/token")), admin));

            // Status.
            foreach (var company in new[] { DirectCompany, AspCompany, BasicCompany, SandboxCompany })
            {
                evidence.Add(await store.GetStatusAsync(company));
            }

            evidence.Add((await store.ListStatusesAsync()).ToArray());

            // Transmission, with a 401 retry that takes the refresh token grant.
            evidence.Add(await SendAsync(host, DirectCompany, The.ApiEndpoint));
            evidence.Add(await SendAsync(host, AspCompany, The.AspEndpoint));
            evidence.Add(await SendAsync(host, BasicCompany, The.AspEndpoint));

            // What a kind sees and builds: its fields, the opened values, the headers, a token.
            var opened = (await host.Gateway.GetCredentialsAsync(DirectCompany, default))!;
            var kinds = Internal.CredentialKindRegistry.BuiltIn(new OAuthOptions()).ToArray();
            evidence.Add(kinds);
            evidence.Add(kinds.SelectMany(k => k.Fields).ToArray());
            evidence.Add(opened.Values, opened.Kind.CollectHeaders(opened.Values));
            evidence.Add(new TokenUpdate { AccessToken = (await repository.GetAsync(DirectCompany))!.AccessToken, IsValid = true, ValidatedAt = The.Now });
            evidence.Add(new CredentialRowUpdate((await repository.GetAsync(DirectCompany))!, 1));
            evidence.Add(new IssuedToken(new SecretValue(FirstAccessToken), new SecretValue(RefreshToken), The.Now, TimeSpan.FromHours(1)));
            evidence.Add(new TokenRequestContext(opened.Values, new HttpClient(), TimeProvider.System, host.Services.GetRequiredService<Internal.TokenClient>()));

            // Refresh: the refresh token is refused, then the client secret; both descriptions echo the secret.
            host.FakeClock.Advance(TimeSpan.FromMinutes(56));
            evidence.Add(await SendAsync(host, DirectCompany, The.ApiEndpoint));
            await Eventually.TrueAsync(() => Volatile.Read(ref grants) >= 4, "the refresh failed both ways");
            await Eventually.TrueAsync(() => !host.Services.GetRequiredService<Internal.AccessTokenCache>().IsFetching(DirectCompany), "the refresh is over");
            host.FakeClock.Advance(TimeSpan.FromMinutes(5));
            await evidence.CaptureAsync(() => SendAsync(host, DirectCompany, The.ApiEndpoint));
            await evidence.CaptureAsync(() => SendAsync(host, DirectCompany, new Uri("https://elsewhere.example/collect")));
            await evidence.CaptureAsync(() => SendAsync(host, "CANARY-NO-SUCH-CO", The.ApiEndpoint));

            // What a health check sees of those failures (#14): company and error code only.
            evidence.Add(host.Services.GetRequiredService<Internal.AccessTokenCache>().Problems(10).ToArray());

            // Connection tests, both failing with secrets in the answers.
            var tester = host.Services.GetRequiredService<CredentialConnectionTester>();
            evidence.Add(await tester.TestAsync(DirectCompany), await tester.TestAsync(AspCompany), await tester.TestAsync(BasicCompany), await tester.TestAsync(SandboxCompany));

            // A tampered envelope, through the store and the handler.
            evidence.Add(await store.SetAsync(TamperedCompany, direct, admin));
            var row = await repository.GetAsync(TamperedCompany);
            var broken = (byte[])row!.ClientSecret!.Clone();
            broken[^1] ^= 1;
            await repository.UpdateAsync(row.WithSecretEnvelope("client_secret", broken) with { RowVersion = row!.RowVersion + 1 }, row!.RowVersion, null);
            await evidence.CaptureAsync(() => host.Gateway.GetCredentialsAsync(TamperedCompany, default));
            await evidence.CaptureAsync(() => SendAsync(host, TamperedCompany, The.ApiEndpoint));
            evidence.Add(await tester.TestAsync(TamperedCompany));
            evidence.Add(await store.DeleteAsync(TamperedCompany, admin));

            evidence.Add(host.Services.GetRequiredService<CredentialVault>(), store, tester, repository);
            evidence.Add(host.Services.GetRequiredService<IOptions<CredentialVaultOptions>>().Value);
            evidence.Add(host.Services.GetRequiredService<IOptions<CredentialStoreOptions>>().Value);
            evidence.Add(host.Services.GetRequiredService<IOptions<OAuthOptions>>().Value);
            evidence.Add(host.Services.GetRequiredService<IKeyEncryptionKeyProvider>().GetKeyRing());
            evidence.Add(FindHandler<OAuthTokenProvider>(host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(TransmissionTestHost.ApiClientName)));
            evidence.Add(MfaVerificationResult.Verified(The.Now), MfaVerificationResult.Rejected());

            // The key-wrapping seam: a context, a data key wrapped by the canary ring, a custodian outage.
            IKeyWrapper ring = host.Services.GetRequiredService<IKeyEncryptionKeyProvider>().GetKeyRing();
            var wrapContext = new KeyWrapContext(host.Services.GetRequiredService<CredentialVault>().ActiveKeyId, DirectCompany, "dctce.client_secret");
            evidence.Add(wrapContext, await ring.WrapKeyAsync(new byte[32], wrapContext, default), new KeyCustodianUnavailableException(wrapContext.KeyId, "The custodian cannot be reached.", null), new DataKeyCacheOptions());
        }

        // Rotation to a second canary key, then the audit trail.
        await using (var host = TransmissionTestHost.With().Storage(repository).Clock(clock).Http(http).Vault(UseKeys(kek, rotatedKek)).Start())
        {
            evidence.Logs.Add(host.Logs);
            var store = host.Store;
            var progress = new List<KeyRotationProgress>();
            evidence.Add(await store.RewrapAllAsync(progress: new Some.SyncProgress<KeyRotationProgress>(progress.Add)));
            evidence.Add(progress.ToArray());
            var verified = await store.VerifyAuditTrailAsync();
            var checkpoint = new AuditCheckpoint(verified.EntryCount, verified.HeadHash);
            evidence.Add(verified, checkpoint, await store.VerifyAuditTrailAsync(checkpoint));
            evidence.AuditEntries.AddRange(await store.ReadAuditTrailAsync(0, 10_000));
            evidence.Add(evidence.AuditEntries.ToArray());
            evidence.Add(await Some.AlsoAs<IAuditTrailRepository>(repository).GetAuditHeadAsync());
            evidence.Add(new AuditEvent { Timestamp = The.Now, Action = AuditAction.KeysRotated, Actor = "evidence", Outcome = AuditOutcome.Succeeded });
            evidence.Add((await repository.ListAsync(null, 100)).ToArray());
            evidence.Add(TransmissionEnvironment.Production, new EnvelopeHolder(await repository.GetAsync(DirectCompany)));

            // Lifecycle (#14): an expiry entered with the change, the reminders it raises, their claims and options.
            var withMfa = new CredentialChangeContext(The.Admin, new MfaProof("totp", new SecretValue(The.MfaCode)));
            evidence.Add(await store.SetAsync(BasicCompany, new CredentialUpdate().WithSecretExpiry(HttpBasicKind.Password, clock.GetUtcNow().AddDays(2)), withMfa));
            var notifier = new RecordingNotifier();
            var reminderLogs = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
            var reminders = Some.Reminders(store, repository, clock, [notifier], "canary-host", logger: new Microsoft.Extensions.Logging.Testing.FakeLogger<CredentialExpiryReminders>(reminderLogs));
            evidence.Add(await reminders.ScanAsync());
            evidence.Add(notifier.Received.ToArray());
            evidence.Add(reminders, new ReminderClaim(BasicCompany, 1, HttpBasicKind.Password, "7d", The.Now, "canary-host"), new CredentialExpiryReminderOptions());
            evidence.Logs.Add(reminderLogs);
            var probe = new TransmissionHealthProbe(host.Services.GetRequiredService<CredentialVault>(), repository, host.Services.GetRequiredService<Internal.AccessTokenCache>(), reminders);
            evidence.Add(probe, await probe.CheckVaultAsync() ?? "key ring usable", await probe.CheckStorageAsync(), probe.GetTokenProblems().ToArray(), (await probe.GetExpiringAsync()).ToArray(), new StorageSchemaVersion(6, 6));
            await evidence.CaptureAsync(async () => await store.DeleteAsync(DirectCompany, new CredentialChangeContext("intruder", null)));
            evidence.Add(await store.DeleteAsync(AspCompany, new CredentialChangeContext(The.Admin, new MfaProof("totp", new SecretValue(The.MfaCode)))));
            evidence.Add(host.Mfa.Contexts.ToArray());
        }

        // Misconfigured keys: the start-up error must not echo the key.
        evidence.Capture(() => new Internal.OptionsKeyEncryptionKeyProvider(
            Options.Create(ValidatedVaultOptions(UseKeys(shortKek))),
            NullLogger<Internal.OptionsKeyEncryptionKeyProvider>.Instance).GetKeyRing());
        evidence.Capture(() => evidence.Add(new KeyEncryptionKeyRing("k", [new("k", Convert.FromBase64String(shortKek))])));

        evidence.RawStorage = await readRawStorage();
        http.Dispose();
        return evidence;
    }

    private static T? FindHandler<T>(HttpMessageHandler? handler)
        where T : HttpMessageHandler
    {
        for (; handler is not null; handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            if (handler is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static Action<CredentialVaultOptions> UseKeys(params string[] keys) => options =>
    {
        for (var i = 0; i < keys.Length; i++)
        {
            options.Keys[$"canary-kek-{i}"] = keys[i];
        }

        options.ActiveKeyId = $"canary-kek-{keys.Length - 1}";
    };

    private static CredentialVaultOptions ValidatedVaultOptions(Action<CredentialVaultOptions> configure)
    {
        var options = new CredentialVaultOptions();
        configure(options);
        var result = new Internal.CredentialVaultOptionsValidator([]).Validate(null, options);
        return result.Failed ? throw new OptionsValidationException(string.Empty, typeof(CredentialVaultOptions), result.Failures) : options;
    }

    private static async Task<HttpStatusCode> SendAsync(TransmissionTestHost host, string companyId, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(uri, "invoices")) { Content = new StringContent("<Invoice/>") };
        using var response = await host.Api().SendAsync(request.SetCompanyId(companyId));
        return response.StatusCode;
    }

    /// <summary>Carries a stored row's envelopes into the evidence as objects of their own.</summary>
    private sealed record EnvelopeHolder(StoredCredential? Row);
}

/// <summary>Everything the leak canary scenario produced, and the search for the canaries in it.</summary>
public sealed class LeakEvidence(IReadOnlyList<string> canaries)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public IReadOnlyList<string> Canaries { get; } = canaries;

    public List<object> Objects { get; } = [];

    public List<Exception> Exceptions { get; } = [];

    public List<Microsoft.Extensions.Logging.Testing.FakeLogCollector> Logs { get; } = [];

    public List<AuditEntry> AuditEntries { get; } = [];

    public string RawStorage { get; set; } = string.Empty;

    public void Add(params object?[] objects)
    {
        foreach (var value in objects)
        {
            if (value is not null)
            {
                Objects.Add(value);
            }
        }
    }

    public async Task CaptureAsync(Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (Exception ex)
        {
            Exceptions.Add(ex);
            Objects.Add(ex);
        }
    }

    public void Capture(Action act)
    {
        try
        {
            act();
        }
        catch (Exception ex)
        {
            Exceptions.Add(ex);
            Objects.Add(ex);
        }
    }

    /// <summary>Every text the scenario exposed, labelled by where it came from.</summary>
    public IEnumerable<(string Source, string Text)> Texts()
    {
        foreach (var record in Logs.SelectMany(l => l.GetSnapshot()))
        {
            yield return ($"log {record.Category} {record.Id}", record.Message);
            foreach (var (key, value) in record.StructuredState ?? [])
            {
                yield return ($"log state {record.Category} {key}", value ?? string.Empty);
            }

            if (record.Exception is { } logged)
            {
                yield return ($"logged exception {record.Category}", logged.ToString());
            }
        }

        foreach (var exception in Exceptions)
        {
            for (var e = exception; e is not null; e = e.InnerException)
            {
                yield return ($"exception {e.GetType().Name}", e.Message);
                yield return ($"exception {e.GetType().Name} ToString", e.ToString());
            }
        }

        foreach (var value in Objects)
        {
            yield return ($"ToString {value.GetType().Name}", value.ToString() ?? string.Empty);
            yield return ($"interpolated {value.GetType().Name}", $"{value}");
            if (Serialize(value) is { } json)
            {
                yield return ($"JSON {value.GetType().Name}", json);
            }
        }

        foreach (var entry in AuditEntries)
        {
            yield return ($"audit {entry.Sequence}", entry.ToString());
            yield return ($"audit JSON {entry.Sequence}", JsonSerializer.Serialize(entry, Json));
        }

        yield return ("raw storage", RawStorage);
    }

    /// <summary>Fails, naming every place, if any canary (or its Base64 form) appears anywhere.</summary>
    public void AssertNoCanary()
    {
        var forms = Canaries.SelectMany(c => new[] { c, Convert.ToBase64String(Encoding.UTF8.GetBytes(c)) }).ToList();
        var leaks = Texts()
            .SelectMany(t => forms.Where(f => t.Text.Contains(f, StringComparison.Ordinal)).Select(f => $"{t.Source}: contains {f[..Math.Min(12, f.Length)]}…"))
            .Distinct()
            .ToList();
        leaks.Should().BeEmpty();
        RawStorage.Should().NotBeEmpty("the raw storage was read");
        Logs.SelectMany(l => l.GetSnapshot()).Should().Contain(r => r.Level == Microsoft.Extensions.Logging.LogLevel.Trace, "the flow was logged at Trace");
    }

    /// <summary>Fails if a public concrete type of <paramref name="assembly"/> has no instance in the evidence.</summary>
    public void AssertCovers(Assembly assembly)
    {
        var covered = Objects.SelectMany(o => o is Array array ? array.Cast<object>().Append(o) : [o]).Select(o => o.GetType()).ToHashSet();
        var missing = assembly.GetExportedTypes()
            .Where(t => t is { IsInterface: false, IsEnum: false, IsAbstract: false } && !(t.IsAbstract && t.IsSealed) && !typeof(Delegate).IsAssignableFrom(t))
            .Where(t => !covered.Any(c => t.IsAssignableFrom(c)))
            .Select(t => t.FullName)
            .ToList();
        missing.Should().BeEmpty("every public type's ToString() and JSON form is searched for canaries");
    }

    private static string? Serialize(object value)
    {
        // Services, handlers and exceptions are not data: their ToString() is searched, their JSON is not defined.
        if (value is Exception or HttpMessageHandler or CredentialStore or CredentialVault or CredentialConnectionTester
            or ICredentialRepository or KeyEncryptionKeyRing or TokenRequestContext or CredentialExpiryReminders or TransmissionHealthProbe or CredentialRollover)
        {
            return null;
        }

        return JsonSerializer.Serialize(value, value.GetType(), Json);
    }
}
