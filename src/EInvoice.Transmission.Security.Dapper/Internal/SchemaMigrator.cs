using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>
/// Applies the versioned scripts embedded in this assembly, in order, each once, recorded in
/// <c>eits_schema_version</c>. One transaction under a lock, so running it twice, or from two processes at once,
/// leaves one correct schema.
/// </summary>
internal static class SchemaMigrator
{
    private const string VersionTable =
        "CREATE TABLE IF NOT EXISTS eits_schema_version (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)";

    public static IReadOnlyList<Script> Scripts(SqlDialect dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var prefix = $"{typeof(SchemaMigrator).Namespace![..^".Internal".Length]}.Migrations.{dialect.Name}.";
        return [.. assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Script.FromResource(assembly, name, name[prefix.Length..^".sql".Length]))
            .OrderBy(script => script.Version)];
    }

    /// <summary>The versions the database recorded as applied, with when (Unix milliseconds); empty when it has no version table yet. Changes nothing.</summary>
    public static async Task<IReadOnlyDictionary<int, long>> AppliedAsync(DbConnection connection, SqlDialect dialect, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(dialect.VersionTableExists, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (!exists)
        {
            return new Dictionary<int, long>();
        }

        // Both as BIGINT: the dialects give INTEGER as 64 bits (SQLite) or 32 bits (PostgreSQL).
        var rows = await connection.QueryAsync<(long Version, long AppliedAt)>(new CommandDefinition(
            "SELECT CAST(version AS BIGINT), CAST(applied_at AS BIGINT) FROM eits_schema_version", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(static r => checked((int)r.Version), static r => r.AppliedAt);
    }

    public static async Task<int> MigrateAsync(DbConnection connection, SqlDialect dialect, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        if (dialect.PrepareDatabase is { } prepareSql)
        {
            await connection.ExecuteAsync(new CommandDefinition(prepareSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int current, version;
        await using (transaction.ConfigureAwait(false))
        {
            if (dialect.LockMigrations is { } lockSql)
            {
                await connection.ExecuteAsync(new CommandDefinition(lockSql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(VersionTable, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            current = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COALESCE(MAX(version), 0) FROM eits_schema_version", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);

            version = current;
            foreach (var script in Scripts(dialect).Where(s => s.Version > current))
            {
                await connection.ExecuteAsync(new CommandDefinition(script.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO eits_schema_version (version, description, applied_at) VALUES (@Version, @Description, @AppliedAt)",
                    new { script.Version, script.Description, AppliedAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() },
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
                logger.SchemaMigrationApplied(script.Version, script.Description, dialect.Name);
                version = script.Version;
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (version == current)
        {
            logger.SchemaUpToDate(version, dialect.Name);
        }

        return version;
    }

    internal sealed record Script(int Version, string Description, string Sql)
    {
        /// <summary>Reads a script named <c>NNNN_description.sql</c>.</summary>
        public static Script FromResource(Assembly assembly, string resourceName, string fileName)
        {
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resourceName)!;
            using var reader = new StreamReader(stream);
            return new Script(version, fileName[(separator + 1)..].Replace('_', ' '), reader.ReadToEnd());
        }
    }
}
