using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>What differs between the databases the repository supports; everything else is shared SQL.</summary>
internal sealed class SqlDialect
{
    public static readonly SqlDialect Sqlite = new(
        name: "Sqlite",
        lockAuditHead: string.Empty,

        // Write-ahead logging lets readers (the token path) go on while a writer commits; it is a no-op in memory.
        prepareDatabase: "PRAGMA journal_mode=WAL",

        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) already serialises writers.
        lockMigrations: null,
        caseSensitiveOrder: string.Empty,
        versionTableExists: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'eits_schema_version')");

    public static readonly SqlDialect PostgreSql = new(
        name: "PostgreSql",
        lockAuditHead: " FOR UPDATE",
        prepareDatabase: null,
        lockMigrations: "SELECT pg_advisory_xact_lock(7265736563757269)",
        caseSensitiveOrder: " COLLATE \"C\"",

        // Resolved on the search path, as the migrations' CREATE TABLE is.
        versionTableExists: "SELECT to_regclass('eits_schema_version') IS NOT NULL");

    private SqlDialect(string name, string lockAuditHead, string? prepareDatabase, string? lockMigrations, string caseSensitiveOrder, string versionTableExists)
    {
        VersionTableExists = versionTableExists;
        Name = name;
        PrepareDatabase = prepareDatabase;
        LockAuditHead = lockAuditHead;
        LockMigrations = lockMigrations;
        BinaryCollation = caseSensitiveOrder;
    }

    /// <summary>The folder of this dialect's migration scripts.</summary>
    public string Name { get; }

    /// <summary>Run once before migrating, outside any transaction.</summary>
    public string? PrepareDatabase { get; }

    /// <summary>Appended to the audit head SELECT so that appends are serialised.</summary>
    public string LockAuditHead { get; }

    /// <summary>Run first in the migration transaction so that two processes never migrate at once.</summary>
    public string? LockMigrations { get; }

    /// <summary>A query that answers whether the schema version table exists, creating nothing.</summary>
    public string VersionTableExists { get; }

    /// <summary>Makes company id order byte-wise, independent of the database's locale.</summary>
    public string BinaryCollation { get; }

    public static SqlDialect For(DbConnection connection) => connection switch
    {
        SqliteConnection => Sqlite,
        NpgsqlConnection => PostgreSql,
        _ => throw new NotSupportedException(
            $"The Dapper credential repository supports SQLite (Microsoft.Data.Sqlite) and PostgreSQL (Npgsql); the data source gives a {connection.GetType().FullName}."),
    };
}
