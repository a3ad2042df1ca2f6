using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>Migrations run twice, or from several connections at once, leave one correct schema.</summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task MigrateAsync_SqliteFromFourConnectionsAtOnce_LeavesOneSchema()
    {
        var sources = Enumerable.Range(0, 4).Select(_ => SqliteFactory.Instance.CreateDataSource($"{_file.ConnectionString};Pooling=False")).ToList();

        await Task.WhenAll(sources.Select(s => Task.Run(() => Repository(s).MigrateAsync())));
        await Repository(sources[0]).MigrateAsync();

        await AssertOneSchemaAsync(sources[0], "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'eits_%'");
        sources.ForEach(s => s.Dispose());
    }

    [SkippableFact]
    public async Task MigrateAsync_PostgresFromFourConnectionsAtOnce_LeavesOneSchema()
    {
        await using var database = await PostgresDatabase.CreateIsolatedAsync();
        var sources = new List<DbDataSource> { database.DataSource };
        for (var i = 0; i < 3; i++)
        {
            sources.Add(database.CreateDataSource());
        }

        await Task.WhenAll(sources.Select(s => Task.Run(() => Repository(s).MigrateAsync())));
        await Repository(sources[0]).MigrateAsync();

        await AssertOneSchemaAsync(sources[0], "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'eits_%'");
        foreach (var source in sources.Skip(1))
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public void Scripts_EachDialect_AreNumberedFromOneWithoutGaps()
    {
        foreach (var dialect in new[] { Internal.SqlDialect.Sqlite, Internal.SqlDialect.PostgreSql })
        {
            var scripts = Internal.SchemaMigrator.Scripts(dialect);
            scripts.Should().NotBeEmpty();
            scripts.Select(s => s.Version).Should().Equal(Enumerable.Range(1, scripts.Count));
        }
    }

    [Fact]
    public async Task MigrateAsync_SqliteAtVersion1WithARow_AddsTheDestinationSealAndKeepsTheRow()
    {
        using var source = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);
        await using (var connection = await source.OpenConnectionAsync())
        {
            // A database as version 1 left it, with one credential row.
            await connection.ExecuteAsync("CREATE TABLE eits_schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
            await connection.ExecuteAsync(Internal.SchemaMigrator.Scripts(Internal.SqlDialect.Sqlite)[0].Sql);
            await connection.ExecuteAsync("INSERT INTO eits_schema_version VALUES (1, 'initial schema', 0)");
            await connection.ExecuteAsync(
                "INSERT INTO eits_credentials (company_id, mode, environment, client_id, configured_at, configured_by, version, row_version) " +
                "VALUES ('company-v1', 'DirectDctce', 'Production', 'client', 0, 'admin', 3, 3)");
        }

        var repository = Repository(source);
        await repository.MigrateAsync();

        await using (var connection = await source.OpenConnectionAsync())
        {
            (await connection.QueryAsync<long>("SELECT version FROM eits_schema_version ORDER BY version")).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        }

        var row = await repository.GetAsync("company-v1");
        row.Should().BeEquivalentTo(new { CompanyId = "company-v1", Kind = "oauth_client_credentials", Version = 3L, DestinationSeal = (byte[]?)null });
        row!.Settings.Should().Equal(new Dictionary<string, string> { ["client_id"] = "client" }, "the mode's unset fields are left out");
        row.Secrets.Should().BeEmpty();
    }

    [Fact]
    public async Task MigrateAsync_UnsupportedProvider_ThrowsNotSupportedException()
    {
        var repository = Repository(new UnsupportedDataSource());

        await FluentActions.Awaiting(() => repository.MigrateAsync()).Should().ThrowAsync<NotSupportedException>().WithMessage("*SQLite*PostgreSQL*");
    }

    private static DapperCredentialRepository Repository(DbDataSource source)
        => new(source, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

    private static async Task AssertOneSchemaAsync(DbDataSource source, string tablesSql)
    {
        await using var connection = await source.OpenConnectionAsync();
        (await connection.QueryAsync<string>(tablesSql)).Should().BeEquivalentTo("eits_credentials", "eits_audit", "eits_audit_head", "eits_schema_version", "eits_reminders");
        (await connection.QueryAsync<long>("SELECT version FROM eits_schema_version ORDER BY version")).Should().Equal(1, 2, 3, 4, 5, 6, 7);
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM eits_audit_head")).Should().Be(1);
    }

    private sealed class UnsupportedDataSource : DbDataSource
    {
        public override string ConnectionString => "unsupported";

        protected override DbConnection CreateDbConnection() => new UnsupportedConnection();
    }

    private sealed class UnsupportedConnection : DbConnection
    {
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string ConnectionString { get; set; } = string.Empty;

        public override string Database => string.Empty;

        public override string DataSource => string.Empty;

        public override string ServerVersion => string.Empty;

        public override System.Data.ConnectionState State => System.Data.ConnectionState.Open;

        public override void ChangeDatabase(string databaseName)
        {
        }

        public override void Close()
        {
        }

        public override void Open()
        {
        }

        protected override DbTransaction BeginDbTransaction(System.Data.IsolationLevel isolationLevel) => throw new NotSupportedException();

        protected override DbCommand CreateDbCommand() => throw new NotSupportedException();
    }
}
