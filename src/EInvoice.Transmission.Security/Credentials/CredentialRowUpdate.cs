namespace EInvoice.Transmission.Security;

/// <summary>One row of <see cref="ICredentialRepository.UpdateManyAsync"/>: the new row and the row version it replaces.</summary>
/// <param name="Credential">The new row, whose <see cref="StoredCredential.RowVersion"/> is greater than <paramref name="ExpectedRowVersion"/>.</param>
/// <param name="ExpectedRowVersion">The row version read before the change.</param>
public sealed record CredentialRowUpdate(StoredCredential Credential, long ExpectedRowVersion);
