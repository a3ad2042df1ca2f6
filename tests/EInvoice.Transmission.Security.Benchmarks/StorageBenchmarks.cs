using BenchmarkDotNet.Attributes;
using EInvoice.Transmission.Security.Dapper;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>Reading a company's credentials from a SQLite file: the raw row, and the row with its secrets opened.</summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"eits-bench-{Guid.NewGuid():N}.db");
    private ServiceProvider _services = null!;
    private DapperCredentialRepository _repository = null!;
    private CredentialStore _store = null!;
    private TokenPathGateway _gateway = null!;

    [GlobalSetup]
    public void Setup()
    {
        _repository = new DapperCredentialRepository(SqliteFactory.Instance.CreateDataSource($"Data Source={_file}"), TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);
        _services = Bench.Services(new TokenEndpointStub(), _repository);
        for (var i = 0; i < 1000; i++)
        {
            Bench.SetCredentialsAsync(_services, $"company-{i:D4}").GetAwaiter().GetResult();
        }

        Bench.SetCredentialsAsync(_services, Bench.CompanyId).GetAwaiter().GetResult();
        _store = _services.GetRequiredService<CredentialStore>();
        _gateway = _services.GetRequiredService<TokenPathGateway>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(_file + suffix);
        }
    }

    [Benchmark(Baseline = true)]
    public Task<StoredCredential?> RepositoryGet() => _repository.GetAsync(Bench.CompanyId);

    [Benchmark]
    public Task<CredentialStatus?> StoreStatus() => _store.GetStatusAsync(Bench.CompanyId);

    [Benchmark]
    public async Task<string?> StoreCredentialsWithSecretOpened()
        => (await _gateway.GetCredentialsAsync(Bench.CompanyId, CancellationToken.None))?.Values.GetSetting(OAuthClientCredentialsKind.ClientId);
}
