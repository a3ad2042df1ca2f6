using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Tests.DependencyInjection;

public sealed class EInvoiceTransmissionServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission")).UseInMemoryCredentialRepository();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private static Dictionary<string, string?> ValidSettings() => new()
    {
        ["EInvoiceTransmission:Vault:ActiveKeyId"] = The.KeyId,
        [$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = The.Key,
    };

    private static OptionsValidationException StartupFailure(Dictionary<string, string?> settings)
    {
        using var provider = Build(settings);
        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();
        return act.Should().Throw<OptionsValidationException>().Which;
    }

    [Fact]
    public void AddEInvoiceTransmission_FromConfiguration_ResolvesAWorkingVault()
    {
        using var provider = Build(ValidSettings());
        provider.GetRequiredService<IStartupValidator>().Validate();

        var vault = provider.GetRequiredService<CredentialVault>();
        var envelope = vault.Seal("value"u8, The.CompanyId, The.ClientSecretField);

        Some.Vault().Open(envelope, The.CompanyId, The.ClientSecretField).Should().Equal("value"u8.ToArray());
        vault.ActiveKeyId.Should().Be(The.KeyId);
    }

    [Fact]
    public void AddEInvoiceTransmission_WithCallback_ConfiguresTheKeyRing()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddEInvoiceTransmission(vault =>
        {
            vault.ActiveKeyId = The.NewKeyId;
            vault.Keys[The.KeyId] = The.Key;
            vault.Keys[The.NewKeyId] = The.NewKey;
        }).UseInMemoryCredentialRepository();
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var vault = provider.GetRequiredService<CredentialVault>();

        vault.ActiveKeyId.Should().Be(The.NewKeyId);
        vault.Open(Some.Vault().Seal("old"u8, The.CompanyId, The.ApiKeyField), The.CompanyId, The.ApiKeyField).Should().Equal("old"u8.ToArray());
    }

    [Fact]
    public void AddEInvoiceTransmission_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();

        services.AddEInvoiceTransmission();
        var once = services.ToList();
        services.AddEInvoiceTransmission(new ConfigurationBuilder().Build());
        services.AddEInvoiceTransmission();

        services.Take(once.Count).Should().Equal(once, (a, b) => ReferenceEquals(a, b));
        services.Skip(once.Count).Should().OnlyContain(d => d.ServiceType.Name.StartsWith("IConfigureOptions", StringComparison.Ordinal) || d.ServiceType.Name.StartsWith("IOptionsChangeTokenSource", StringComparison.Ordinal),
            "a second call only binds configuration; it registers no service again");
        services.Where(d => d.ServiceType.Assembly == typeof(CredentialVault).Assembly || d.ImplementationType?.Assembly == typeof(CredentialVault).Assembly)
            .GroupBy(d => (d.ServiceType, d.ImplementationType)).Should().OnlyContain(g => g.Count() == 1);
    }

    [Fact]
    public void Validate_NoKeysConfigured_FailsNamingTheSetting()
    {
        var failure = StartupFailure([]);

        failure.Message.Should().Contain("EInvoiceTransmission:Vault:Keys").And.Contain("EInvoiceTransmission:Vault:ActiveKeyId");
    }

    [Fact]
    public void Validate_KeyNotBase64_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings[$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = "this is not base64!";

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain($"EInvoiceTransmission:Vault:Keys:{The.KeyId}").And.Contain("base64");
    }

    [Fact]
    public void Validate_SixteenByteKey_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings[$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = Convert.ToBase64String(Some.Bytes(16));

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain($"EInvoiceTransmission:Vault:Keys:{The.KeyId}").And.Contain("16 bytes");
    }

    [Fact]
    public void Validate_PassphraseAsKey_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings[$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = Convert.ToBase64String("my-company-passphrase-2026-xyz!!"u8);

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain($"EInvoiceTransmission:Vault:Keys:{The.KeyId}").And.Contain("passphrase");
    }

    [Fact]
    public void Validate_ActiveKeyIdNotInRing_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings["EInvoiceTransmission:Vault:ActiveKeyId"] = "kek-that-does-not-exist";

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain("EInvoiceTransmission:Vault:ActiveKeyId").And.Contain("kek-that-does-not-exist");
    }

    [Fact]
    public void Validate_ActiveKeyIdMissing_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings.Remove("EInvoiceTransmission:Vault:ActiveKeyId");

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain("EInvoiceTransmission:Vault:ActiveKeyId");
    }

    [Fact]
    public void Validate_RetiredKeySetToEmpty_StartsAndTheKeyIsNotInTheRing()
    {
        // A key set by one configuration source can be overridden by another but not removed: emptying it retires it.
        var retired = Some.Vault("kek_2025_01", ("kek_2025_01", The.OtherKey)).Seal("old"u8, The.CompanyId, The.ApiKeyField);
        var settings = ValidSettings();
        settings["EInvoiceTransmission:Vault:Keys:kek_2025_01"] = "";
        using var provider = Build(settings);

        provider.GetRequiredService<IStartupValidator>().Validate();
        var vault = provider.GetRequiredService<CredentialVault>();

        vault.Open(vault.Seal("new"u8, The.CompanyId, The.ApiKeyField), The.CompanyId, The.ApiKeyField).Should().Equal("new"u8.ToArray());
        FluentActions.Invoking(() => vault.Open(retired, The.CompanyId, The.ApiKeyField)).Should().Throw<CredentialVaultException>();
    }

    [Fact]
    public void Validate_ActiveKeySetToEmpty_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings[$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = "";
        settings["EInvoiceTransmission:Vault:Keys:kek_2026_11"] = The.NewKey;

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain("EInvoiceTransmission:Vault:ActiveKeyId").And.Contain($"EInvoiceTransmission:Vault:Keys:{The.KeyId}").And.Contain("empty");
    }

    [Fact]
    public void Validate_Failure_NeverEchoesKeyMaterial()
    {
        var settings = ValidSettings();
        var shortKey = Convert.ToBase64String(Some.Bytes(16));
        settings["EInvoiceTransmission:Vault:Keys:second"] = shortKey;

        var failure = StartupFailure(settings);

        failure.ToString().Should().NotContain(shortKey).And.NotContain(The.Key);
    }

    [Fact]
    public void GetVault_Misconfigured_ThrowsOptionsValidationException()
    {
        using var provider = Build([]);
        var vault = provider.GetRequiredService<CredentialVault>();

        var act = () => vault.Seal("x"u8, The.CompanyId, The.ClientSecretField);

        act.Should().Throw<OptionsValidationException>().WithMessage("*EInvoiceTransmission:Vault:Keys*");
    }

    [Fact]
    public void Validate_NoRepositoryChosen_FailsNamingTheUseMethods()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission"));
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message
            .Should().Contain("UseSqlite").And.Contain("UsePostgreSql").And.Contain("UseDbDataSource").And.Contain("UseInMemoryCredentialRepository");
        FluentActions.Invoking(() => provider.GetRequiredService<CredentialStore>())
            .Should().Throw<InvalidOperationException>().WithMessage("*UseSqlite*");
    }

    [Fact]
    public async Task SetAsync_NoMfaVerifierRegistered_ThrowsInvalidOperationExceptionNamingIt()
    {
        using var provider = Build(ValidSettings());
        var store = provider.GetRequiredService<CredentialStore>();

        var act = () => store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*IMfaVerifier*");
        (await store.GetStatusAsync(The.CompanyId)).Should().BeNull();
    }

    [Fact]
    public async Task AddEInvoiceTransmission_WithHostVerifier_StoreChangesCredentials()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IMfaVerifier>(sp => new TestMfaVerifier(TimeProvider.System));
        services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission")).UseInMemoryCredentialRepository();
        using var provider = services.BuildServiceProvider(validateScopes: true);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var status = await provider.GetRequiredService<CredentialStore>().SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        status.Version.Should().Be(1);
    }

    [Fact]
    public void Validate_CredentialOptionsOutOfRange_FailsNamingTheSetting()
    {
        var settings = ValidSettings();
        settings["EInvoiceTransmission:Credentials:MfaMaxAge"] = "02:00:00";
        settings["EInvoiceTransmission:Credentials:RotationBatchSize"] = "0";

        var failure = StartupFailure(settings);

        failure.Message.Should().Contain("EInvoiceTransmission:Credentials:MfaMaxAge").And.Contain("EInvoiceTransmission:Credentials:RotationBatchSize");
    }

    [Fact]
    public void UseInMemoryCredentialRepository_CalledTwice_RegistersOneRepository()
    {
        var services = new ServiceCollection();

        services.AddEInvoiceTransmission().UseInMemoryCredentialRepository().UseInMemoryCredentialRepository();

        services.Where(d => d.ServiceType == typeof(ICredentialRepository)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(IAuditTrailRepository)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(ITokenLeaseRepository)).Should().ContainSingle();
    }

    [Fact]
    public void UseInMemoryCredentialRepository_Resolved_OneInstanceServesAllThreeContracts()
    {
        using var provider = Build(ValidSettings());

        var repository = provider.GetRequiredService<ICredentialRepository>();

        repository.Should().BeOfType<InMemoryCredentialRepository>();
        provider.GetRequiredService<IAuditTrailRepository>().Should().BeSameAs(repository);
        provider.GetRequiredService<ITokenLeaseRepository>().Should().BeSameAs(repository);
    }

    [Fact]
    public async Task AddEInvoiceTransmission_HostRepositoryImplementingAllThreeRegisteredAsCredentialRepository_ServesAuditAndLease()
    {
        var repository = new HostRepository();
        using var provider = BuildWithHostRepository(repository);
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredService<CredentialStore>();
        await store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);

        provider.GetRequiredService<IAuditTrailRepository>().Should().BeSameAs(repository);
        provider.GetRequiredService<ITokenLeaseRepository>().Should().BeSameAs(repository);
        (await store.ReadAuditTrailAsync(0, 10)).Should().ContainSingle().Which.Action.Should().Be(AuditAction.CredentialsCreated);
        (await store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }

    [Fact]
    public void Validate_HostRepositoryImplementingOnlyCredentialRepository_FailsNamingTheMissingInterfaces()
    {
        using var provider = BuildWithHostRepository(new CredentialsOnlyRepository());

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message
            .Should().Contain(nameof(IAuditTrailRepository)).And.Contain(nameof(ITokenLeaseRepository)).And.Contain(nameof(CredentialsOnlyRepository));
    }

    [Fact]
    public void Validate_HostRepositoryWithSeparateAuditTrailOnly_FailsNamingTheTokenLease()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ICredentialRepository>(new CredentialsOnlyRepository());
        services.AddSingleton<IAuditTrailRepository>(new InMemoryCredentialRepository());
        services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission"));
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Message
            .Should().Contain(nameof(ITokenLeaseRepository)).And.NotContain(nameof(IAuditTrailRepository));
    }

    private static ServiceProvider BuildWithHostRepository(ICredentialRepository repository)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(ValidSettings()).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IMfaVerifier>(new TestMfaVerifier(TimeProvider.System));
        services.AddSingleton(repository);
        services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    /// <summary>A host's own storage that implements all three contracts, registered only as its credential repository.</summary>
    private sealed class HostRepository() : DelegatingCredentialRepository(new InMemoryCredentialRepository());

    /// <summary>A host's own storage that implements only the credential rows.</summary>
    private sealed class CredentialsOnlyRepository : ICredentialRepository
    {
        private readonly InMemoryCredentialRepository _inner = new();

        public Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default) => _inner.GetAsync(companyId, cancellationToken);

        public Task<IReadOnlyList<StoredCredential>> ListAsync(string? afterCompanyId, int limit, CancellationToken cancellationToken = default)
            => _inner.ListAsync(afterCompanyId, limit, cancellationToken);

        public Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default)
            => _inner.InsertAsync(credential, audit, cancellationToken);

        public Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
            => _inner.UpdateAsync(credential, expectedRowVersion, audit, cancellationToken);

        public Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
            => _inner.DeleteAsync(companyId, expectedRowVersion, audit, cancellationToken);
    }
}
