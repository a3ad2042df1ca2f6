using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Pkcs11.Tests;

/// <summary>The data-key cache in front of SoftHSM2: the number of token calls 1,000 opens cost.</summary>
public sealed class Pkcs11DataKeyCacheTests
{
    [SkippableFact]
    public async Task OpenAsync_OneCompanysSecretAThousandTimesThroughTheCache_CallsTheTokenOnce()
    {
        SoftHsm.Require();
        using var hsm = (IDisposable)SoftHsm.Wrapper();
        var counting = new CountingKeyWrapper((IKeyWrapper)hsm);
        using var cache = new DataKeyCache(Options.Create(new DataKeyCacheOptions()), TimeProvider.System);
        var vault = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [new CachingKeyWrapper(counting, cache)], SoftHsm.KeyId);
        var uncached = new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing()), [counting], SoftHsm.KeyId);
        var envelope = await vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        for (var i = 0; i < 1000; i++)
        {
            (await vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Equal("secret"u8.ToArray());
        }

        counting.Unwraps.Should().Be(1, "with the default bounds (1,000 uses, 5 minutes) one token unwrap serves 1,000 opens");
        for (var i = 0; i < 10; i++)
        {
            await uncached.OpenAsync(envelope, The.CompanyId, The.ClientSecretField);
        }

        counting.Unwraps.Should().Be(11, "without the cache every open is a token call");
    }
}
