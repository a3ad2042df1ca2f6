namespace EInvoice.Transmission.Security;

/// <summary>
/// No credentials: requests are sent as they are. Only valid in the <see cref="TransmissionEnvironment.Sandbox"/>
/// environment (0.1's <c>Sandbox</c> mode, renamed so that it is not confused with the environment).
/// </summary>
public sealed class NoCredentialsKind : CredentialKind
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "none";

    /// <summary>The API base address; optional. When set, requests to another origin are refused, as for every kind.</summary>
    public const string ApiEndpoint = CredentialField.ApiEndpointName;

    /// <summary>Creates the kind; <c>AddEInvoiceTransmission()</c> registers it.</summary>
    public NoCredentialsKind()
        : base(KindName, [CredentialField.Endpoint(ApiEndpoint)])
    {
    }

    /// <inheritdoc/>
    protected internal override void Validate(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Environment != TransmissionEnvironment.Sandbox)
        {
            throw new ArgumentException($"Credentials of kind '{KindName}' are only valid in the Sandbox environment.");
        }
    }
}
