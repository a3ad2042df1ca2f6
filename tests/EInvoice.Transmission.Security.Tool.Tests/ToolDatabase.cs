using System.Data.Common;
using EInvoice.Transmission.Security.Dapper;
using EInvoice.Transmission.Security.Dapper.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary>A database of one test's own that the tool is pointed at, and a data source to seed or tamper with it behind the tool's back.</summary>
public abstract class ToolDatabase : IAsyncDisposable
{
    /// <summary>The storage options of the tool's command line.</summary>
    public abstract string[] StorageArgs { get; }

    public abstract DbDataSource DataSource { get; }

    public DapperCredentialRepository Repository() => new(DataSource, TimeProvider.System, NullLogger<DapperCredentialRepository>.Instance);

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public abstract ValueTask DisposeAsync();

    public sealed class Sqlite : ToolDatabase
    {
        private readonly TemporarySqliteFile _file = new();
        private readonly DbDataSource _dataSource;

        public Sqlite() => _dataSource = SqliteFactory.Instance.CreateDataSource(_file.ConnectionString);

        public string Path => _file.Path;

        public override string[] StorageArgs => ["--sqlite", _file.Path];

        public override DbDataSource DataSource => _dataSource;

        public override async ValueTask DisposeAsync()
        {
            await _dataSource.DisposeAsync();
            _file.Dispose();
        }
    }

    internal sealed class Postgres(PostgresDatabase.IsolatedSchema schema) : ToolDatabase
    {
        public static async Task<ToolDatabase> CreateAsync() => new Postgres(await PostgresDatabase.CreateIsolatedAsync());

        public override string[] StorageArgs => ["--postgres", schema.ConnectionString];

        public override DbDataSource DataSource => schema.DataSource;

        public override ValueTask DisposeAsync() => schema.DisposeAsync();
    }
}
