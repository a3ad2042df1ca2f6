namespace EInvoice.Transmission.Security;

/// <summary>
/// Thrown when the custodian of a key-encryption key (an HSM, a cloud KMS) cannot be reached: a lost session, a token
/// that was removed, a network failure. The condition is transient: the same call can succeed once the custodian is
/// back. Nothing was sealed or opened.
/// </summary>
/// <remarks>The message names the key id and the cause; it never carries key material, wrapped keys or plaintext.</remarks>
public sealed class KeyCustodianUnavailableException : Exception
{
    /// <summary>Creates the exception with a standard message.</summary>
    public KeyCustodianUnavailableException()
        : base("The key custodian cannot be reached.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message that contains no secret.</param>
    public KeyCustodianUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">A message that contains no secret.</param>
    /// <param name="innerException">The cause, for example a PKCS#11 or HTTP error.</param>
    public KeyCustodianUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one key.</summary>
    /// <param name="keyId">The key id whose custodian cannot be reached.</param>
    /// <param name="message">A message that contains no secret.</param>
    /// <param name="innerException">The cause.</param>
    public KeyCustodianUnavailableException(string keyId, string message, Exception? innerException)
        : base(message, innerException)
    {
        KeyId = keyId;
    }

    /// <summary>Gets the key id whose custodian cannot be reached, when known.</summary>
    public string? KeyId { get; }
}
