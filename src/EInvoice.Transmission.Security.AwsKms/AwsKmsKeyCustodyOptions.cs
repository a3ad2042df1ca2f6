namespace EInvoice.Transmission.Security.AwsKms;

/// <summary>The AWS KMS key that wraps data keys, bound from the configuration section <c>EInvoiceTransmission:AwsKms</c>.</summary>
/// <remarks>
/// Credentials and region come from the <c>IAmazonKeyManagementService</c> registered in the container (the AWS SDK's own
/// configuration), or from the SDK's default chain when none is registered.
/// </remarks>
public sealed class AwsKmsKeyCustodyOptions
{
    /// <summary>Gets or sets the KMS key: its key id, ARN, alias name (<c>alias/…</c>) or alias ARN. A symmetric encryption key.</summary>
    /// <value>No default: it must be set.</value>
    public string? KmsKeyId { get; set; }

    /// <summary>
    /// Gets or sets the key id this key has in envelopes and in <c>EInvoiceTransmission:Vault:WrapKeyId</c>: 1 to 64
    /// characters of <c>A-Z a-z 0-9 . _ -</c>. It names the key to the library; the ARN stays in configuration.
    /// </summary>
    /// <value>No default: it must be set.</value>
    public string? KeyId { get; set; }
}
