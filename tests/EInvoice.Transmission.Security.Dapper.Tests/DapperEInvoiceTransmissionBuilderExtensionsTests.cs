using System.Data.Common;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Dapper.Tests;

public sealed class DapperEInvoiceTransmissionBuilderExtensionsTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    private static IEInvoiceTransmissionBuilder Services(out ServiceCollection services)
    {
        services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IMfaVerifier>(new TestMfaVerifier(TimeProvider.System));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["EInvoiceTransmission:Vault:ActiveKeyId"] = The.KeyId,
            [$"EInvoiceTransmission:Vault:Keys:{The.KeyId}"] = The.Key,
        }).Build();
        return services.AddEInvoiceTransmission(configuration.GetSection("EInvoiceTransmission"));
    }

    private static async Task<CredentialStatus?> RoundTripAsync(ServiceProvider provider)
    {
        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<CredentialStore>();
        await store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        return await store.GetStatusAsync(The.CompanyId);
    }

    [Fact]
    public async Task UseSqlite_FileDatabase_StoresCredentialsThatSurviveANewContainer()
    {
        Services(out var services).UseSqlite(_file.ConnectionString);
        await using (var provider = services.BuildServiceProvider(validateScopes: true))
        {
            (await RoundTripAsync(provider))!.HasApiKey.Should().BeTrue();
        }

        Services(out var again).UseSqlite(_file.ConnectionString);
        await using var second = again.BuildServiceProvider(validateScopes: true);
        var credentials = await second.GetRequiredService<TokenPathGateway>().GetCredentialsAsync(The.CompanyId, default);
        credentials!.Values.GetSecret("api_key")!.Reveal().Should().Be(The.ApiKey);
        File.Exists(_file.Path).Should().BeTrue();
    }

    [Fact]
    public async Task UseDbDataSource_KeyedAndUnkeyedRegistered_PrefersTheKeyedOne()
    {
        using var unkeyed = SqliteFactory.Instance.CreateDataSource("Data Source=:memory:");
        Services(out var services).UseDbDataSource();
        services.AddSingleton<DbDataSource>(unkeyed);
        services.AddKeyedSingleton<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey, (_, _) => SqliteFactory.Instance.CreateDataSource(_file.ConnectionString));
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        await RoundTripAsync(provider);

        File.Exists(_file.Path).Should().BeTrue("the keyed data source received the credentials");
    }

    [Fact]
    public async Task UseDbDataSource_NoDataSourceRegistered_ThrowsNamingWhatToRegister()
    {
        Services(out var services).UseDbDataSource();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var act = () => provider.GetRequiredService<ICredentialRepository>();

        act.Should().Throw<InvalidOperationException>().WithMessage($"*{EInvoiceTransmissionDefaults.DataSourceKey}*");
    }

    [Fact]
    public async Task UseSqlite_ThenUseInMemory_LastCallWins()
    {
        Services(out var services).UseSqlite(_file.ConnectionString).UseInMemoryCredentialRepository();
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        provider.GetRequiredService<ICredentialRepository>().Should().BeOfType<InMemoryCredentialRepository>();
    }

    [Fact]
    public void UseSqlite_CalledTwice_RegistersOneRepositoryAndOneDataSource()
    {
        Services(out var services).UseSqlite("Data Source=a.db").UseSqlite(_file.ConnectionString);

        services.Where(d => d.ServiceType == typeof(ICredentialRepository)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(DbDataSource) && Equals(d.ServiceKey, EInvoiceTransmissionDefaults.DataSourceKey)).Should().ContainSingle();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void UseSqlite_EmptyConnectionString_ThrowsArgumentException(string connectionString)
    {
        var act = () => Services(out _).UseSqlite(connectionString);

        act.Should().Throw<ArgumentException>().WithParameterName("connectionString");
    }

    [SkippableFact]
    public async Task UsePostgreSql_RealServer_StoresCredentials()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        Services(out var services).UsePostgreSql(database.ConnectionString);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        (await RoundTripAsync(provider))!.Version.Should().Be(1);
    }
}
