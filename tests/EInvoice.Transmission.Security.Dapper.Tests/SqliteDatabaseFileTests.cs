using System.Runtime.Versioning;
using EInvoice.Transmission.Security.Dapper.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>SQLite files the library creates are owner-only on Unix, side files included; a host's own file is left as it is.</summary>
public sealed class SqliteDatabaseFileTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string UnixOnly = "Unix file permissions do not exist on Windows; the file inherits the folder's ACL there.";

    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public async Task UseSqlite_NewFile_DatabaseAndWriteAheadLogFilesAreOwnerOnly()
    {
        Skip.If(OperatingSystem.IsWindows(), UnixOnly);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IMfaVerifier>(new TestMfaVerifier(TimeProvider.System));
        services.AddEInvoiceTransmission(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vault:ActiveKeyId"] = The.KeyId,
            [$"Vault:Keys:{The.KeyId}"] = The.Key,
        }).Build()).UseSqlite(_file.ConnectionString);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        await provider.GetRequiredService<CredentialStore>().SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        // The pool keeps a connection open, so the write-ahead log and its index are still there.
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Exists(_file.Path + suffix).Should().BeTrue($"the database runs in WAL mode, so {suffix} exists");
            File.GetUnixFileMode(_file.Path + suffix).Should().Be(OwnerOnly, $"the database file{suffix} holds sealed secrets; the default umask would make it 0644");
        }
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public async Task MigrateAsync_NewFile_IsOwnerOnlyBeforeAnythingIsWritten()
    {
        Skip.If(OperatingSystem.IsWindows(), UnixOnly);
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        var logger = new FakeLogger<DapperCredentialRepository>();

        await new DapperCredentialRepository(dataSource, TimeProvider.System, logger).MigrateAsync();

        File.GetUnixFileMode(_file.Path).Should().Be(OwnerOnly);
        logger.Collector.GetSnapshot().Should().Contain(r => r.Id.Id == 2002 && r.Level == LogLevel.Debug);
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public async Task MigrateAsync_ExistingFileReadableByOthers_KeepsItsModeAndWarns()
    {
        Skip.If(OperatingSystem.IsWindows(), UnixOnly);
        const UnixFileMode HostsChoice = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.WriteAllBytes(_file.Path, []);
        File.SetUnixFileMode(_file.Path, HostsChoice);
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        var logger = new FakeLogger<DapperCredentialRepository>();

        await new DapperCredentialRepository(dataSource, TimeProvider.System, logger).MigrateAsync();

        File.GetUnixFileMode(_file.Path).Should().Be(HostsChoice, "the host created the file and chose its mode");
        logger.Collector.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 2003 && r.Level == LogLevel.Warning)
            .Which.Message.Should().Contain(_file.Path).And.Contain("644");
    }

    [SkippableFact]
    [UnsupportedOSPlatform("windows")]
    public async Task MigrateAsync_ExistingOwnerOnlyFile_DoesNotWarn()
    {
        Skip.If(OperatingSystem.IsWindows(), UnixOnly);
        File.WriteAllBytes(_file.Path, []);
        File.SetUnixFileMode(_file.Path, OwnerOnly);
        using var dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        var logger = new FakeLogger<DapperCredentialRepository>();

        await new DapperCredentialRepository(dataSource, TimeProvider.System, logger).MigrateAsync();

        logger.Collector.GetSnapshot().Should().NotContain(r => r.Id.Id == 2002 || r.Id.Id == 2003);
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=eits;Mode=Memory;Cache=Shared")]
    [InlineData("Data Source=")]
    [InlineData("Data Source=file:eits.db?mode=rwc")]
    [InlineData("Data Source=eits.db;Mode=ReadOnly")]
    [InlineData("Data Source=eits.db;Mode=ReadWrite")]
    public void FilePath_NoFileToCreate_IsNull(string connectionString)
        => SqliteDatabaseFile.FilePath(connectionString).Should().BeNull();

    [Fact]
    public void FilePath_RelativeFile_ResolvesAgainstTheCurrentDirectory()
        => SqliteDatabaseFile.FilePath("Data Source=eits.db").Should().Be(Path.Combine(Environment.CurrentDirectory, "eits.db"));
}
