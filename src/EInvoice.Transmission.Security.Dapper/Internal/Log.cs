using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>Every log message of the Dapper package; ids 2000-2099, never reused, never carrying a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "SchemaMigrationApplied", Level = LogLevel.Information,
        Message = "Applied credential schema migration {Version} ({Description}) on {Dialect}.")]
    public static partial void MigrationApplied(this ILogger logger, int version, string description, string dialect);

    [LoggerMessage(EventId = 2001, EventName = "SchemaUpToDate", Level = LogLevel.Debug,
        Message = "The credential schema is at version {Version} on {Dialect}.")]
    public static partial void SchemaUpToDate(this ILogger logger, int version, string dialect);
}
