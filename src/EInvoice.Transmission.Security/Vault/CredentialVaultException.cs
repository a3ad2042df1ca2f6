namespace EInvoice.Transmission.Security;

/// <summary>
/// Thrown when an envelope cannot be opened or rewrapped.
/// </summary>
/// <remarks>
/// Every failure to open has this one type and one message, whatever its cause: a malformed or truncated envelope,
/// an unknown format version, a key id that is not in the key ring, an envelope sealed for another company or field,
/// or a modified byte. A caller, or an attacker who can write to the database, learns nothing about which check
/// failed. The exception never carries key material or plaintext.
/// </remarks>
public sealed class CredentialVaultException : Exception
{
    private const string DefaultMessage =
        "The credential envelope could not be opened. It is malformed, was sealed for another company or field, " +
        "was modified, or was sealed under a key-encryption key that is not in the key ring.";

    /// <summary>Creates the exception with the standard message.</summary>
    public CredentialVaultException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message that contains no secret.</param>
    public CredentialVaultException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">A message that contains no secret.</param>
    /// <param name="innerException">The cause, for example an <see cref="System.Security.Cryptography.AuthenticationTagMismatchException"/>.</param>
    public CredentialVaultException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal static CredentialVaultException CannotOpen(Exception? innerException = null)
        => new(DefaultMessage, innerException);
}
