using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.ScaleHost;

/// <summary>
/// A cold start measured across OS processes: <see cref="SeedAsync"/> stores the companies, <see cref="RunAsync"/> starts
/// copies of this program on the same database, lets them go at once and gathers what each one reports.
/// </summary>
public static class ColdStart
{
    /// <summary>The environment variables a worker reads its key ring from, as a host would configure it.</summary>
    public const string KeyIdVariable = "EITS_SCALE_KEY_ID";

    /// <summary>The base64 KEK for <see cref="KeyIdVariable"/>.</summary>
    public const string KeyVariable = "EITS_SCALE_KEY";

    /// <summary>The connection string, passed in the environment rather than on a command line other users can read.</summary>
    public const string ConnectionVariable = "EITS_SCALE_CONNECTION";

    public static readonly Uri TokenEndpoint = new("https://auth.scale.example/token");
    public static readonly Uri ApiEndpoint = new("https://api.scale.example/v1/");

    public static string CompanyId(int i) => $"company-{i:D6}";

    /// <summary>Stores <paramref name="companies"/> OAuth companies (client id <c>client-company-NNNNNN</c>) through the store.</summary>
    public static async Task SeedAsync(Storage storage, string connectionString, string keyId, string key, int companies, CancellationToken cancellationToken = default)
    {
        await using var services = Services(storage, connectionString, keyId, key, new CountingTokenEndpoint(TimeSpan.Zero));
        var store = services.GetRequiredService<CredentialStore>();
        var context = new CredentialChangeContext("scale-seed", new MfaProof("totp", new SecretValue("000000")));
        await Parallel.ForEachAsync(Enumerable.Range(0, companies), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var company = CompanyId(i);
            await store.SetAsync(
                company,
                new CredentialUpdate { Kind = OAuthClientCredentialsKind.KindName, Environment = TransmissionEnvironment.Production }
                    .WithSetting(OAuthClientCredentialsKind.ClientId, "client-" + company)
                    .WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue("scale-secret-" + company))
                    .WithSetting(OAuthClientCredentialsKind.TokenEndpoint, TokenEndpoint)
                    .WithSetting(OAuthClientCredentialsKind.ApiEndpoint, ApiEndpoint),
                context,
                ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts <paramref name="processes"/> copies of this program on the database, each sending one request per company
    /// in its own random order; returns their reports and the wall-clock time from "go" to the last report.
    /// </summary>
    public static async Task<(IReadOnlyList<WorkerReport> Reports, TimeSpan Elapsed)> RunAsync(
        Storage storage, string connectionString, string keyId, string key, int companies, int processes, int parallelism, TimeSpan tokenDelay, CancellationToken cancellationToken = default)
    {
        var workers = new List<Process>();
        try
        {
            for (var p = 0; p < processes; p++)
            {
                var start = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                start.ArgumentList.Add(typeof(ColdStart).Assembly.Location);
                foreach (var argument in new[] { "cold-start", storage.ToString(), companies.ToString(System.Globalization.CultureInfo.InvariantCulture), parallelism.ToString(System.Globalization.CultureInfo.InvariantCulture), ((int)tokenDelay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), (p + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) })
                {
                    start.ArgumentList.Add(argument);
                }

                start.Environment[KeyIdVariable] = keyId;
                start.Environment[KeyVariable] = key;
                start.Environment[ConnectionVariable] = connectionString;
                workers.Add(Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start."));
            }

            // Every worker has built its host (and JIT-compiled the path) before any of them goes.
            foreach (var worker in workers)
            {
                var line = await worker.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line != "ready")
                {
                    throw new InvalidOperationException($"A worker did not get ready: {line} {await worker.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false)}");
                }
            }

            var watch = Stopwatch.StartNew();
            foreach (var worker in workers)
            {
                await worker.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
                await worker.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            var reports = new List<WorkerReport>();
            foreach (var worker in workers)
            {
                var line = await worker.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                var error = line is null ? await worker.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : null;
                reports.Add(line is null ? throw new InvalidOperationException($"A worker ended without a report: {error}") : JsonSerializer.Deserialize<WorkerReport>(line)!);
            }

            watch.Stop();
            foreach (var worker in workers)
            {
                await worker.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }

            return (reports, watch.Elapsed);
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill(entireProcessTree: true);
                }

                worker.Dispose();
            }
        }
    }

    /// <summary>The worker: builds a host on the database, says "ready", waits for "go", sends one request per company.</summary>
    internal static async Task<int> WorkAsync(Storage storage, int companies, int parallelism, TimeSpan tokenDelay, int seed)
    {
        var tokens = new CountingTokenEndpoint(tokenDelay);
        await using var services = Services(
            storage, Environment.GetEnvironmentVariable(ConnectionVariable)!, Environment.GetEnvironmentVariable(KeyIdVariable)!, Environment.GetEnvironmentVariable(KeyVariable)!, tokens);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        if (await Console.In.ReadLineAsync().ConfigureAwait(false) != "go")
        {
            return 2;
        }

        var order = Enumerable.Range(0, companies).Select(CompanyId).ToArray();
        new Random(seed).Shuffle(order);
        var failures = 0;
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (company, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ApiEndpoint, "invoices")).SetCompanyId(company);
            try
            {
                using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
            catch (OAuthTokenException)
            {
                Interlocked.Increment(ref failures);
            }
        }).ConfigureAwait(false);
        watch.Stop();

        var report = new WorkerReport(companies, failures, watch.Elapsed.TotalSeconds, [.. tokens.ClientIds]);
        Console.Out.WriteLine(JsonSerializer.Serialize(report));
        return 0;
    }

    private static ServiceProvider Services(Storage storage, string connectionString, string keyId, string key, CountingTokenEndpoint tokens)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IMfaVerifier, AcceptingMfa>();
        var builder = services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = keyId;
            vault.Keys[keyId] = key;
        });
        _ = storage == Storage.PostgreSql ? builder.UsePostgreSql(connectionString) : builder.UseSqlite(connectionString);
        services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName).ConfigurePrimaryHttpMessageHandler(() => tokens);
        services.AddHttpClient("api")
            .AddEInvoiceAuthentication(TransmissionEnvironment.Production)
            .ConfigurePrimaryHttpMessageHandler(() => new AcceptingApi());
        return services.BuildServiceProvider();
    }

    /// <summary>The identity provider: answers after <c>delay</c> with a day-long token, recording each client id it was asked for.</summary>
    private sealed class CountingTokenEndpoint(TimeSpan delay) : HttpMessageHandler
    {
        public ConcurrentQueue<string> ClientIds { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var form = await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var clientId = System.Web.HttpUtility.ParseQueryString(form)["client_id"] ?? "?";
            ClientIds.Enqueue(clientId);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($$"""{"access_token":"token-{{clientId}}-{{Guid.NewGuid():N}}","token_type":"Bearer","expires_in":86400}""", Encoding.UTF8, "application/json"),
            };
        }
    }

    /// <summary>The transmission API: accepts every request.</summary>
    private sealed class AcceptingApi : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(request.Headers.Authorization is null ? HttpStatusCode.Unauthorized : HttpStatusCode.OK));
    }

    /// <summary>Seeding only: the companies are stored by the scale run itself, not by a person.</summary>
    private sealed class AcceptingMfa(TimeProvider time) : IMfaVerifier
    {
        public Task<MfaVerificationResult> VerifyAsync(MfaVerificationContext context, CancellationToken cancellationToken)
            => Task.FromResult(MfaVerificationResult.Verified(time.GetUtcNow()));
    }
}

/// <summary>Which database the workers share.</summary>
public enum Storage
{
    Sqlite,
    PostgreSql,
}

/// <summary>What one worker reports: how many companies it sent for, how many failed, its time, and every token request it made (by client id).</summary>
public sealed record WorkerReport(int Companies, int Failures, double Seconds, IReadOnlyList<string> TokenRequests);
