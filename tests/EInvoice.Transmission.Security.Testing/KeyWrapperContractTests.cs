using System.Text;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// What every key custodian must give the vault — round trips, the binding to company, field and key id, tamper
/// detection, rewraps that leave the data layer alone — run by a derived class per custodian: the local ring, a
/// test custodian, a PKCS#11 token, a KMS.
/// </summary>
public abstract class KeyWrapperContractTests : IAsyncLifetime
{
    private CredentialVault? _vault;
    private CredentialVault? _localVault;

    /// <summary>A vault whose active key is the custodian's, with the local ring (<see cref="The.Key"/>) beside it.</summary>
    protected CredentialVault Vault => _vault ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A vault over the same ring and custodian whose active key is the ring's: sealing and rewrapping go back to the ring.</summary>
    protected CredentialVault LocalVault => _localVault ?? throw new InvalidOperationException("Not initialised.");

    protected string KeyId { get; private set; } = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Builds the vaults; called first by every test, so that a custodian that is not installed can skip it.</summary>
    protected async Task ReadyAsync()
    {
        if (_vault is not null)
        {
            return;
        }

        var (custodians, keyId) = await CreateCustodianAsync();
        KeyId = keyId;
        var ring = new Some.FixedKeyProvider(Some.KeyRing());
        _vault = new CredentialVault(ring, custodians, keyId);
        _localVault = new CredentialVault(ring, custodians, null);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Whether the wrap itself binds the company and field (AES-GCM, KMS), not only the data layer (RFC 5649).</summary>
    protected virtual bool WrapBindsContext => true;

    /// <summary>The custodians to register and the id of the key under test (held by one of them, or by the ring).</summary>
    protected abstract Task<(IReadOnlyList<IKeyWrapper> Custodians, string KeyId)> CreateCustodianAsync();

    public static TheoryData<string> Plaintexts => ["", "client-secret-ü-€-😀", new string('x', 5000)];

    [SkippableTheory]
    [MemberData(nameof(Plaintexts))]
    public async Task SealAsync_ThenOpenAsync_ReturnsThePlaintextUnderTheCustodiansKey(string text)
    {
        await ReadyAsync();
        var envelope = await Vault.SealAsync(Encoding.UTF8.GetBytes(text), The.CompanyId, The.ClientSecretField);

        CredentialVault.GetKeyId(envelope).Should().Be(KeyId);
        Encoding.UTF8.GetString(await Vault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Be(text);
        Encoding.UTF8.GetString(await LocalVault.OpenAsync(envelope, The.CompanyId, The.ClientSecretField)).Should().Be(text, "the key opens whichever key is active");
    }

    [SkippableFact]
    public async Task OpenAsync_EnvelopeOfAnotherCompany_ThrowsCredentialVaultException()
    {
        await ReadyAsync();
        var envelope = await Vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var open = () => Vault.OpenAsync(envelope, The.OtherCompanyId, The.ClientSecretField);

        await open.Should().ThrowExactlyAsync<CredentialVaultException>();
    }

    [SkippableFact]
    public async Task OpenAsync_EnvelopeOfAnotherField_ThrowsCredentialVaultException()
    {
        await ReadyAsync();
        var envelope = await Vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var open = () => Vault.OpenAsync(envelope, The.CompanyId, "dctce.refresh_token");

        await open.Should().ThrowExactlyAsync<CredentialVaultException>();
    }

    [SkippableFact]
    public async Task OpenAsync_AnyByteChangedTruncatedOrExtended_ThrowsCredentialVaultException()
    {
        await ReadyAsync();
        var envelope = await Vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);
        var variants = new List<(string What, byte[] Bytes)>();
        for (var i = 0; i < envelope.Length; i++)
        {
            var changed = envelope.ToArray();
            changed[i] ^= 0x01;
            variants.Add(($"byte {i} flipped", changed));
        }

        variants.Add(("truncated", envelope[..^1]));
        variants.Add(("extended", [.. envelope, 0x00]));

        foreach (var (what, bytes) in variants)
        {
            var open = () => Vault.OpenAsync(bytes, The.CompanyId, The.ClientSecretField);
            await open.Should().ThrowExactlyAsync<CredentialVaultException>(what);
        }
    }

    [SkippableFact]
    public async Task RewrapAsync_LocalToCustodianAndBack_KeepsTheDataLayerAndOpens()
    {
        await ReadyAsync();
        var plaintext = "moved, never opened"u8.ToArray();
        var local = await LocalVault.SealAsync(plaintext, The.CompanyId, The.ClientSecretField);

        var toCustodian = await Vault.RewrapAsync(local, The.CompanyId, The.ClientSecretField);
        var back = await LocalVault.RewrapAsync(toCustodian, The.CompanyId, The.ClientSecretField);

        var dataLayer = 12 + plaintext.Length + 16;
        CredentialVault.GetKeyId(toCustodian).Should().Be(KeyId);
        CredentialVault.GetKeyId(back).Should().Be(The.KeyId);
        toCustodian[^dataLayer..].Should().Equal(local[^dataLayer..], "only the wrap layer changes");
        back[^dataLayer..].Should().Equal(local[^dataLayer..]);
        (await Vault.OpenAsync(toCustodian, The.CompanyId, The.ClientSecretField)).Should().Equal(plaintext);
        LocalVault.Open(back, The.CompanyId, The.ClientSecretField).Should().Equal(plaintext, "back under the ring, the synchronous path opens it again");
    }

    [SkippableFact]
    public async Task RewrapAsync_ToAnotherCompany_ThrowsCredentialVaultException()
    {
        await ReadyAsync();
        var envelope = await Vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField);

        var rewrap = () => LocalVault.RewrapAsync(envelope, The.OtherCompanyId, The.ClientSecretField);

        if (WrapBindsContext)
        {
            await rewrap.Should().ThrowExactlyAsync<CredentialVaultException>("a rewrap unwraps with the row's context, so a copied envelope is not laundered");
            return;
        }

        // A wrap without associated data (RFC 5649) unwraps for any context; the data layer still names the company, so
        // what the rewrap made opens for neither company.
        var moved = await rewrap();
        var open = () => LocalVault.OpenAsync(moved, The.OtherCompanyId, The.ClientSecretField);
        var openAsOriginal = () => LocalVault.OpenAsync(moved, The.CompanyId, The.ClientSecretField);
        await open.Should().ThrowExactlyAsync<CredentialVaultException>();
        await openAsOriginal.Should().ThrowExactlyAsync<CredentialVaultException>();
    }

    [SkippableFact]
    public async Task SealAsync_CancelledBeforeTheCall_ThrowsOperationCanceledException()
    {
        await ReadyAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var seal = () => Vault.SealAsync("secret"u8.ToArray(), The.CompanyId, The.ClientSecretField, cancelled.Token);

        await seal.Should().ThrowAsync<OperationCanceledException>();
    }
}
