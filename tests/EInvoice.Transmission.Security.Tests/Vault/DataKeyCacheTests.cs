using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Tests.Vault;

/// <summary>The data-key cache: how many custodian calls opens cost, its bounds, zeroing, and the binding it must keep.</summary>
public sealed class DataKeyCacheTests
{
    private readonly TestCustodian _custodian = new();
    private readonly FakeTimeProvider _clock = Some.Clock();

    private (CredentialVault Vault, DataKeyCache Cache) CachedVault(DataKeyCacheOptions? options = null)
    {
        var cache = new DataKeyCache(Options.Create(options ?? new DataKeyCacheOptions()), _clock);
        return (new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [new CachingKeyWrapper(_custodian, cache)], _custodian.KeyId), cache);
    }

    [Fact]
    public async Task OpenAsync_OneCompanysSecretAThousandTimesWithDefaults_CallsTheCustodianOnce()
    {
        var (vault, _) = CachedVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        for (var i = 0; i < 1000; i++)
        {
            (await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Equal("secret"u8.ToArray());
        }

        _custodian.Unwraps.Should().Be(1, "one unwrap serves MaxUses = 1,000 opens");
    }

    [Fact]
    public async Task OpenAsync_AThousandTimesWithMaxUses100_CallsTheCustodianTenTimes()
    {
        var (vault, _) = CachedVault(new DataKeyCacheOptions { MaxUses = 100 });
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        for (var i = 0; i < 1000; i++)
        {
            await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        }

        _custodian.Unwraps.Should().Be(10);
    }

    [Fact]
    public async Task OpenAsync_WithoutTheCache_CallsTheCustodianOnEveryOpen()
    {
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [_custodian], _custodian.KeyId);
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        for (var i = 0; i < 50; i++)
        {
            await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        }

        _custodian.Unwraps.Should().Be(50);
    }

    [Fact]
    public async Task OpenAsync_AfterMaxAge_CallsTheCustodianAgainAndZeroesTheExpiredKey()
    {
        var (vault, cache) = CachedVault(new DataKeyCacheOptions { MaxAge = TimeSpan.FromMinutes(5) });
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        var buffer = cache.BufferOf(CacheKeyOf(envelope));
        buffer.Should().NotBeNull().And.Contain(b => b != 0);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);

        _custodian.Unwraps.Should().Be(2);
        buffer.Should().OnlyContain(b => b == 0, "an evicted data key is zeroed in place");
    }

    [Fact]
    public async Task OpenAsync_MoreEnvelopesThanMaxEntries_EvictsTheOldestAndZeroesIt()
    {
        var (vault, cache) = CachedVault(new DataKeyCacheOptions { MaxEntries = 2 });
        var envelopes = new List<byte[]>();
        for (var i = 0; i < 3; i++)
        {
            envelopes.Add(await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField));
        }

        await vault.OpenAsync(envelopes[0], The.CompanyId, The.ClientSecretField);
        var first = cache.BufferOf(CacheKeyOf(envelopes[0]))!;
        await vault.OpenAsync(envelopes[1], The.CompanyId, The.ClientSecretField);
        await vault.OpenAsync(envelopes[2], The.CompanyId, The.ClientSecretField);

        cache.Count.Should().Be(2);
        first.Should().OnlyContain(b => b == 0);
        await vault.OpenAsync(envelopes[0], The.CompanyId, The.ClientSecretField);
        _custodian.Unwraps.Should().Be(4, "the evicted envelope needed the custodian again");
    }

    [Fact]
    public async Task OpenAsync_CachedEnvelopeSwappedToAnotherCompanyOrField_StillFails()
    {
        var (vault, _) = CachedVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);

        var otherCompany = () => vault.OpenAsync(envelope, The.OtherCompanyId, The.ClientSecretField);
        var otherField = () => vault.OpenAsync(envelope, The.CompanyId, "dctce.refresh_token");

        await otherCompany.Should().ThrowExactlyAsync<CredentialVaultException>("the cache key includes the company");
        await otherField.Should().ThrowExactlyAsync<CredentialVaultException>("the cache key includes the field");
    }

    [Fact]
    public async Task Dispose_ZeroesEveryCachedKey()
    {
        var (vault, cache) = CachedVault();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        var buffer = cache.BufferOf(CacheKeyOf(envelope))!;

        cache.Dispose();

        buffer.Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public async Task AddDataKeyCache_InTheContainer_CachesCustodiansButNeverTheLocalRing()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IKeyWrapper>(_custodian);
        services.AddEInvoiceTransmission(options =>
        {
            options.Keys[The.KeyId] = The.Key;
            options.ActiveKeyId = The.KeyId;
            options.WrapKeyId = _custodian.KeyId;
        }).UseInMemoryCredentialRepository().AddDataKeyCache(options => options.MaxUses = 5);
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var vault = provider.GetRequiredService<CredentialVault>();
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        var local = Some.Vault().Seal("local"u8, The.CompanyId, The.ClientSecretField);
        var before = _custodian.Unwraps;

        for (var i = 0; i < 10; i++)
        {
            await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
            await vault.OpenAsync(local, The.CompanyId, The.ClientSecretField);
        }

        (_custodian.Unwraps - before).Should().Be(2, "MaxUses = 5: ten opens, two unwraps");
        provider.GetRequiredService<DataKeyCache>().Count.Should().Be(1, "the local ring's envelope was not cached");
    }

    [Fact]
    public void AddDataKeyCache_BoundsOutOfRange_FailNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddEInvoiceTransmission(options => { }).AddDataKeyCache(options => options.MaxAge = TimeSpan.Zero);
        using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<IOptions<DataKeyCacheOptions>>().Value;

        read.Should().Throw<OptionsValidationException>().WithMessage("*'EInvoiceTransmission:Vault:DataKeyCache:MaxAge'*");
    }

    private static string CacheKeyOf(byte[] envelope)
    {
        EnvelopeFormat.TryParseLayout(envelope, out var layout).Should().BeTrue();
        var wrapped = new WrappedKey(layout.Suite, envelope.AsMemory(layout.WrapOffset, layout.WrapLength));
        return DataKeyCache.KeyOf(wrapped, new KeyWrapContext(CredentialVault.GetKeyId(envelope), The.CompanyId, The.ClientSecretField));
    }
}
