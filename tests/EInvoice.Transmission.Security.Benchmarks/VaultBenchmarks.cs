using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption;
using Microsoft.AspNetCore.DataProtection.AuthenticatedEncryption.ConfigurationModel;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// The vault's <c>Open</c> and <c>Seal</c> against ASP.NET Core DataProtection configured for AES-256-GCM (purpose:
/// company and field), and against one raw <see cref="AesGcm"/> decryption with a cached key (the floor).
/// </summary>
[MemoryDiagnoser]
public class VaultBenchmarks
{
    private const string Field = "dctce.client_secret";

    private CredentialVault _vault = null!;
    private IDataProtector _protector = null!;
    private ServiceProvider _dataProtection = null!;
    private AesGcm _raw = null!;
    private byte[] _rawKey = null!;
    private byte[] _plaintext = null!;
    private byte[] _envelope = null!;
    private byte[] _protected = null!;
    private byte[] _rawCiphertext = null!;
    private byte[] _rawTag = null!;
    private byte[] _rawNonce = null!;
    private byte[] _rawOutput = null!;

    [Params(64, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _vault = Bench.Vault();
        _envelope = _vault.Seal(_plaintext, Bench.CompanyId, Field);

        _dataProtection = new ServiceCollection()
            .AddDataProtection()
            .UseEphemeralDataProtectionProvider()
            .UseCryptographicAlgorithms(new AuthenticatedEncryptorConfiguration
            {
                EncryptionAlgorithm = EncryptionAlgorithm.AES_256_GCM,
                ValidationAlgorithm = ValidationAlgorithm.HMACSHA256,
            })
            .Services.BuildServiceProvider();
        _protector = _dataProtection.GetRequiredService<IDataProtectionProvider>().CreateProtector(Bench.CompanyId, Field);
        _protected = _protector.Protect(_plaintext);

        _rawKey = RandomNumberGenerator.GetBytes(32);
        _raw = new AesGcm(_rawKey, 16);
        _rawNonce = RandomNumberGenerator.GetBytes(12);
        _rawCiphertext = new byte[Size];
        _rawTag = new byte[16];
        _rawOutput = new byte[Size];
        _raw.Encrypt(_rawNonce, _plaintext, _rawCiphertext, _rawTag);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _dataProtection.Dispose();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Open")]
    public byte[] DataProtectionUnprotect() => _protector.Unprotect(_protected);

    [Benchmark, BenchmarkCategory("Open")]
    public byte[] VaultOpen() => _vault.Open(_envelope, Bench.CompanyId, Field);

    [Benchmark, BenchmarkCategory("Open")]
    public byte[] RawAesGcmDecrypt()
    {
        _raw.Decrypt(_rawNonce, _rawCiphertext, _rawTag, _rawOutput);
        return _rawOutput;
    }

    /// <summary>Creating (and disposing) an AesGcm for a fresh key: what every Open pays once for its data key.</summary>
    [Benchmark, BenchmarkCategory("Open")]
    public void RawAesGcmKeySetup()
    {
        using var aes = new AesGcm(_rawKey, 16);
    }

    [Benchmark, BenchmarkCategory("Seal")]
    public byte[] DataProtectionProtect() => _protector.Protect(_plaintext);

    [Benchmark, BenchmarkCategory("Seal")]
    public byte[] VaultSeal() => _vault.Seal(_plaintext, Bench.CompanyId, Field);
}
