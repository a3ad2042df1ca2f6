namespace EInvoice.Transmission.Security;

/// <summary>
/// Implemented by a repository whose storage has a versioned schema (the Dapper repository does), so that a health check
/// can tell whether it is at the version the library expects, without changing anything.
/// </summary>
public interface IStorageSchemaCheck
{
    /// <summary>Reads the schema version the storage has and the one this library expects; applies nothing.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The two versions.</returns>
    Task<StorageSchemaVersion> GetSchemaVersionAsync(CancellationToken cancellationToken = default);
}

/// <summary>The schema version storage has, and the one the library expects.</summary>
/// <param name="Current">The highest version applied; 0 for none.</param>
/// <param name="Expected">The highest version this library ships.</param>
public sealed record StorageSchemaVersion(int Current, int Expected);
