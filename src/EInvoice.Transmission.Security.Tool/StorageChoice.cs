using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>
/// Which database the tool works on: <c>--sqlite</c> or <c>--postgres</c>, else the configuration keys
/// <c>EInvoiceTransmission:Storage:Sqlite</c> or <c>EInvoiceTransmission:Storage:PostgreSql</c>.
/// </summary>
internal sealed class StorageChoice
{
    public const string SqliteKey = "EInvoiceTransmission:Storage:Sqlite";
    public const string PostgreSqlKey = "EInvoiceTransmission:Storage:PostgreSql";

    private StorageChoice(bool isSqlite, string connectionString, string description, string? sqliteFile)
    {
        IsSqlite = isSqlite;
        ConnectionString = connectionString;
        Description = description;
        SqliteFile = sqliteFile;
    }

    public bool IsSqlite { get; }

    /// <summary>The connection string; never written anywhere, since a PostgreSQL one may hold a password.</summary>
    public string ConnectionString { get; }

    /// <summary>What to show: the file, or server, database and user; never a password.</summary>
    public string Description { get; }

    /// <summary>The SQLite file, when the connection string names one.</summary>
    public string? SqliteFile { get; }

    public static StorageChoice Resolve(IConfiguration configuration, string? sqliteOption, string? postgresOption)
    {
        if (sqliteOption is not null && postgresOption is not null)
        {
            throw new ToolException("Choose one storage: --sqlite or --postgres, not both.");
        }

        var sqlite = sqliteOption ?? (postgresOption is null ? configuration[SqliteKey] : null);
        var postgres = postgresOption ?? (sqliteOption is null ? configuration[PostgreSqlKey] : null);
        if (!string.IsNullOrWhiteSpace(sqlite) && !string.IsNullOrWhiteSpace(postgres))
        {
            throw new ToolException($"Both {SqliteKey} and {PostgreSqlKey} are set: choose one with --sqlite or --postgres.");
        }

        if (!string.IsNullOrWhiteSpace(sqlite))
        {
            // A bare path is the common case; anything with '=' is taken as a whole connection string.
            var builder = sqlite.Contains('=', StringComparison.Ordinal)
                ? new SqliteConnectionStringBuilder(sqlite)
                : new SqliteConnectionStringBuilder { DataSource = sqlite };
            var file = string.IsNullOrEmpty(builder.DataSource) || builder.DataSource.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
                ? null
                : Path.GetFullPath(builder.DataSource);
            return new StorageChoice(true, builder.ConnectionString, $"SQLite {file ?? builder.DataSource}", file);
        }

        if (!string.IsNullOrWhiteSpace(postgres))
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(postgres);
            }
            catch (ArgumentException)
            {
                // Npgsql's message may quote the string, password included.
                throw new ToolException("The PostgreSQL connection string is not valid (its text is not shown: it may hold a password).");
            }

            return new StorageChoice(false, builder.ConnectionString, $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}", null);
        }

        throw new ToolException(
            "No storage chosen: pass --sqlite PATH or --postgres CONNECTION, or set the variable " +
            "EInvoiceTransmission__Storage__Sqlite or EInvoiceTransmission__Storage__PostgreSql (or those keys in --config's file).");
    }

    public void Apply(IEInvoiceTransmissionBuilder builder)
    {
        if (IsSqlite)
        {
            builder.UseSqlite(ConnectionString);
        }
        else
        {
            builder.UsePostgreSql(ConnectionString);
        }
    }
}
