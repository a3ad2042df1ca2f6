using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>Every log message of the Dapper package; ids 2000-2099, never reused, never carrying a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "SchemaMigrationApplied", Level = LogLevel.Information,
        Message = "Applied credential schema migration {Version} ({Description}) on {Dialect}.")]
    public static partial void SchemaMigrationApplied(this ILogger logger, int version, string description, string dialect);

    [LoggerMessage(EventId = 2001, EventName = "SchemaUpToDate", Level = LogLevel.Debug,
        Message = "The credential schema is at version {Version} on {Dialect}.")]
    public static partial void SchemaUpToDate(this ILogger logger, int version, string dialect);

    [LoggerMessage(EventId = 2002, EventName = "SqliteFileCreated", Level = LogLevel.Debug,
        Message = "Created the SQLite database file {Path} readable and writable by its owner only.")]
    public static partial void SqliteFileCreated(this ILogger logger, string path);

    [LoggerMessage(EventId = 2003, EventName = "SqliteFileSharedWithOthers", Level = LogLevel.Warning,
        Message = "The SQLite database file {Path} has mode {Mode}: other users may read the sealed credentials; restrict it to its owner (chmod 600) unless that is intended.")]
    public static partial void SqliteFileSharedWithOthers(this ILogger logger, string path, string mode);
}
