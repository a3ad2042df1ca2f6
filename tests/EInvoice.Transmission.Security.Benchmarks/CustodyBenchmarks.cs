using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// Issue 13: <c>OpenAsync</c> of one company's secret with the local key ring, with SoftHSM2 on every open, and with
/// SoftHSM2 through the data-key cache (default bounds); the HsmCallsPer1000Opens column counts the token unwraps 1,000
/// opens cost in each set-up, measured once in the benchmark process. Needs SoftHSM2 (apt-get install -y softhsm2).
/// </summary>
/// <remarks><c>dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --filter '*CustodyBenchmarks*'</c></remarks>
[MemoryDiagnoser]
[Config(typeof(HsmCallsColumn.Config))]
public class CustodyBenchmarks
{
    private const string Field = "dctce.client_secret";

    private CredentialVault _local = null!;
    private CredentialVault _hsm = null!;
    private CredentialVault _cached = null!;
    private IDisposable _wrapper = null!;
    private DataKeyCache _cache = null!;
    private byte[] _localEnvelope = null!;
    private byte[] _hsmEnvelope = null!;

    [GlobalSetup]
    public void Setup()
    {
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var ring = new Some.FixedKeyProvider(Some.KeyRing());
        _wrapper = (IDisposable)SoftHsm.Wrapper();
        var hsm = (IKeyWrapper)_wrapper;
        _cache = new DataKeyCache(Options.Create(new DataKeyCacheOptions()), TimeProvider.System);
        _local = new CredentialVault(ring);
        _hsm = new CredentialVault(ring, [hsm], SoftHsm.KeyId);
        _cached = new CredentialVault(ring, [new CachingKeyWrapper(hsm, _cache)], SoftHsm.KeyId);
        _localEnvelope = _local.SealAsync(plaintext, Bench.CompanyId, Field).GetAwaiter().GetResult();
        _hsmEnvelope = _hsm.SealAsync(plaintext, Bench.CompanyId, Field).GetAwaiter().GetResult();

        HsmCallsColumn.Record(nameof(OpenLocalRing), 0);
        var direct = new CountingKeyWrapper(hsm);
        HsmCallsColumn.Record(nameof(OpenSoftHsm), CountUnwraps(new CredentialVault(ring, [direct], SoftHsm.KeyId), direct));
        var behindCache = new CountingKeyWrapper(hsm);
        using var countingCache = new DataKeyCache(Options.Create(new DataKeyCacheOptions()), TimeProvider.System);
        HsmCallsColumn.Record(nameof(OpenSoftHsmCached), CountUnwraps(new CredentialVault(ring, [new CachingKeyWrapper(behindCache, countingCache)], SoftHsm.KeyId), behindCache));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _wrapper.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<byte[]> OpenLocalRing() => _local.OpenAsync(_localEnvelope, Bench.CompanyId, Field);

    [Benchmark]
    public Task<byte[]> OpenSoftHsm() => _hsm.OpenAsync(_hsmEnvelope, Bench.CompanyId, Field);

    [Benchmark]
    public Task<byte[]> OpenSoftHsmCached() => _cached.OpenAsync(_hsmEnvelope, Bench.CompanyId, Field);

    private int CountUnwraps(CredentialVault vault, CountingKeyWrapper counter)
    {
        var before = counter.Unwraps;
        for (var i = 0; i < 1000; i++)
        {
            vault.OpenAsync(_hsmEnvelope, Bench.CompanyId, Field).GetAwaiter().GetResult();
        }

        return counter.Unwraps - before;
    }

    /// <summary>Shows the token unwraps 1,000 opens cost, written by the benchmark process to a file the host reads.</summary>
    public sealed class HsmCallsColumn : IColumn
    {
        public string Id => nameof(HsmCallsColumn);

        public string ColumnName => "HsmCallsPer1000Opens";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "PKCS#11 unwrap calls that 1,000 opens of one company's secret made (0 for the local ring)";

        public static void Record(string benchmark, int calls)
            => File.WriteAllText(FilePath(benchmark), calls.ToString(System.Globalization.CultureInfo.InvariantCulture));

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
            => File.Exists(FilePath(benchmarkCase.Descriptor.WorkloadMethod.Name)) ? File.ReadAllText(FilePath(benchmarkCase.Descriptor.WorkloadMethod.Name)) : "?";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        private static string FilePath(string benchmark) => Path.Combine(Path.GetTempPath(), $"eits-bench-custody-{benchmark}.txt");

        public sealed class Config : ManualConfig
        {
            public Config() => AddColumn(new HsmCallsColumn());
        }
    }
}
