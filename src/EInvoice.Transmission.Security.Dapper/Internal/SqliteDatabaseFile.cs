using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Dapper.Internal;

/// <summary>
/// On Unix, a SQLite database file the repository is the first to open is created owner-only (0600) before SQLite
/// opens it, so the file that will hold the envelopes is never readable by other users, not even empty. SQLite gives
/// its side files (<c>-wal</c>, <c>-shm</c>, <c>-journal</c>) the permissions of the database file, so they are
/// owner-only too. A file that already exists keeps its permissions: the host (or an earlier version) created it and
/// may share it on purpose, so the repository warns when group or others may read it, and changes nothing.
/// </summary>
internal static class SqliteDatabaseFile
{
    private const string DataDirectoryMacro = "|DataDirectory|";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the data source's SQLite file owner-only if it does not exist yet; does nothing for other databases.</summary>
    public static void CreateOwnerOnly(DbDataSource dataSource, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string? path;
        using (var connection = dataSource.CreateConnection())
        {
            path = connection is SqliteConnection ? FilePath(connection.ConnectionString) : null;
        }

        if (path is null)
        {
            return;
        }

        try
        {
            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
            {
            }

            logger.SqliteFileCreated(path);
            return;
        }
        catch (IOException) when (File.Exists(path))
        {
            // The host's file, or one an earlier run created: checked below, never changed.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A missing folder or no write access: SQLite reports the same problem when it opens the file.
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            logger.SqliteFileSharedWithOthers(path, Convert.ToString((int)mode, 8));
        }
    }

    /// <summary>
    /// The file SQLite would create for this connection string, resolved as Microsoft.Data.Sqlite resolves it; null
    /// when it opens no file or never creates one (in memory, temporary, read-only, read-write without create) or
    /// names it by URI (<c>file:</c>), which is opened as given.
    /// </summary>
    internal static string? FilePath(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (builder.Mode != SqliteOpenMode.ReadWriteCreate
            || string.IsNullOrEmpty(source)
            || source.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (AppDomain.CurrentDomain.GetData("DataDirectory") is string { Length: > 0 } dataDirectory)
        {
            if (source.StartsWith(DataDirectoryMacro, StringComparison.OrdinalIgnoreCase))
            {
                source = Path.Combine(dataDirectory, source[DataDirectoryMacro.Length..]);
            }
            else if (!Path.IsPathRooted(source))
            {
                source = Path.Combine(dataDirectory, source);
            }
        }

        return Path.GetFullPath(source);
    }
}
