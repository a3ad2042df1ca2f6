namespace EInvoice.Transmission.Security.Dapper;

/// <summary>One of the versioned schema scripts shipped in this package, and whether the database has it.</summary>
/// <param name="Version">The script's version; scripts are applied in order of version, each once.</param>
/// <param name="Description">What the script does, from its file name (<c>credential kinds</c>).</param>
/// <param name="AppliedAt">When the database recorded it as applied; <see langword="null"/> when it is still to be applied.</param>
public sealed record SchemaMigration(int Version, string Description, DateTimeOffset? AppliedAt)
{
    /// <summary>Gets a value indicating whether the database has this migration.</summary>
    public bool IsApplied => AppliedAt is not null;
}
