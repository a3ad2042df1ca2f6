using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary>
/// Companies stored through the library (with MFA, audited) under one key, each an API-key company whose API on
/// 127.0.0.1 accepts exactly its own canary key: a passing connection test proves that its secret still opens.
/// </summary>
public sealed class SeededCompanies : IAsyncDisposable
{
    public const string OldKeyId = "kek_old";
    public const string NewKeyId = "kek_new";
    public const string LostKeyId = "kek_lost";
    public const string OldKey = The.Key;
    public const string NewKey = The.NewKey;
    public const string LostKey = The.OtherKey;

    private readonly Dictionary<string, string> _apiKeys = [];

    private SeededCompanies(LoopbackHttpServer api) => Api = api;

    public LoopbackHttpServer Api { get; }

    public IReadOnlyList<string> CompanyIds => [.. _apiKeys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every secret the tool must never write: the companies' keys and the key-encryption keys.</summary>
    public IEnumerable<string> Canaries => [.. _apiKeys.Values, OldKey, NewKey, LostKey];

    public static async Task<SeededCompanies> CreateAsync(ToolDatabase database, int count, string keyId = OldKeyId, string key = OldKey)
    {
        var api = new LoopbackHttpServer();
        var seeded = new SeededCompanies(api);
        api.Respond = (request, _) =>
        {
            var company = request.Url!.AbsolutePath.Trim('/');
            return seeded._apiKeys.TryGetValue(company, out var expected) && request.Headers["X-API-Key"] == expected
                ? (200, "{}", null)
                : (401, "{}", null);
        };
        await seeded.AddAsync(database, count, keyId, key);
        return seeded;
    }

    /// <summary>Adds companies sealed under another key (one no longer in the ring, say).</summary>
    public async Task AddAsync(ToolDatabase database, int count, string keyId, string key)
    {
        await using var host = TransmissionTestHost.With()
            .Storage(database.Repository())
            .Vault(options =>
            {
                options.ActiveKeyId = keyId;
                options.Keys[keyId] = key;
            })
            .Services(services => services.Configure<CredentialStoreOptions>(options => options.AllowHttpOnLoopback = true))
            .Start();
        var first = _apiKeys.Count;
        for (var i = first; i < first + count; i++)
        {
            var company = $"EITS-CO-{i:D3}";
            var apiKey = $"CANARY-api-key-{i}-{Guid.NewGuid():N}";
            _apiKeys[company] = apiKey;
            await host.Store.SetAsync(
                company,
                new CredentialUpdate { Kind = ApiKeyKind.KindName, Environment = TransmissionEnvironment.Production }
                    .WithSecret(ApiKeyKind.ApiKey, new SecretValue(apiKey))
                    .WithSetting(ApiKeyKind.ApiEndpoint, new Uri(Api.BaseUri, company + "/")),
                The.AdminWithMfa);
        }
    }

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}
