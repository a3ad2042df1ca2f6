namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// The outcome of <see cref="CredentialRowAccess.CheckDestinationAsync"/>: intact, or the audit names of all the fields
/// that differ, with what the seal held (when it opened) so that a status can show what was sealed instead of what is stored.
/// </summary>
internal readonly record struct DestinationCheck(IReadOnlyList<string> TamperedFields, byte[]? SealedDestination = null)
{
    public static DestinationCheck Intact => new([]);

    public bool IsIntact => TamperedFields.Count == 0;

    /// <summary>The first page of <see cref="TamperedFields"/>: what a status shows and a log line names.</summary>
    public IReadOnlyList<string> ShownFields => TamperedFields.Count <= CredentialRowAccess.MaxTamperedFieldsShown
        ? TamperedFields
        : [.. TamperedFields.Take(CredentialRowAccess.MaxTamperedFieldsShown)];
}
