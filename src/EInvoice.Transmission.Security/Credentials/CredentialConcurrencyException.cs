namespace EInvoice.Transmission.Security;

/// <summary>
/// Thrown when credentials changed between the moment a caller read them and the moment it tried to change them.
/// Nothing was stored: read the current status, reapply the change and try again.
/// </summary>
public sealed class CredentialConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CredentialConcurrencyException()
        : base("The credentials were changed by someone else in the meantime; nothing was stored.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message without secrets.</param>
    public CredentialConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">A message without secrets.</param>
    /// <param name="innerException">The cause.</param>
    public CredentialConcurrencyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal CredentialConcurrencyException(string companyId, long? expectedVersion, long actualVersion)
        : base($"The credentials of company '{companyId}' are at version {actualVersion}, not {expectedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the one read"}; someone changed them in the meantime and nothing was stored.")
    {
        CompanyId = companyId;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>Gets the company whose credentials were to change.</summary>
    public string? CompanyId { get; }

    /// <summary>Gets the version the caller expected, if it named one.</summary>
    public long? ExpectedVersion { get; }

    /// <summary>Gets the version found in storage (0 when the credentials do not exist).</summary>
    public long ActualVersion { get; }
}
