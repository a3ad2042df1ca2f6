using Microsoft.Data.Sqlite;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>A SQLite database file of its own in the temp directory, deleted (with its WAL files) on dispose.</summary>
internal sealed class TemporarySqliteFile : IDisposable
{
    private static readonly string[] Suffixes = [string.Empty, "-wal", "-shm"];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eits-test-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Every byte of the database and its write-ahead log, as they lie on disk.</summary>
    public byte[] ReadAllBytes()
    {
        SqliteConnection.ClearAllPools();
        return [.. Suffixes[..2].Where(s => File.Exists(Path + s)).SelectMany(s => File.ReadAllBytes(Path + s))];
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in Suffixes)
        {
            File.Delete(Path + suffix);
        }
    }
}
