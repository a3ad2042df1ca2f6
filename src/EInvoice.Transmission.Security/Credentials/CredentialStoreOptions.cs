using System.ComponentModel.DataAnnotations;

// RangeAttribute(Type, string, string) reads its type by reflection when used through DataAnnotations; these options
// are checked by the source-generated validator ([OptionsValidator]), which compares without reflection.
#pragma warning disable IL2026

namespace EInvoice.Transmission.Security;

/// <summary>Options of the <see cref="CredentialStore"/>, bound from <c>EInvoiceTransmission:Credentials</c>.</summary>
public sealed class CredentialStoreOptions
{

    /// <summary>Gets or sets how old a multi-factor proof may be when credentials change.</summary>
    /// <value>5 minutes. Between 10 seconds and 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan MfaMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets a value indicating whether endpoints may use plain <c>http</c> when they point at a loopback
    /// address (127.0.0.0/8, ::1, localhost), as development identity servers often do. Other hosts always need https.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AllowHttpOnLoopback { get; set; }

    /// <summary>Gets or sets how many credentials a key rotation reads and rewraps per batch.</summary>
    /// <value>100. Between 1 and 10,000.</value>
    [Range(1, 10_000)]
    public int RotationBatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets a value indicating whether destination seals written before version 3 (by 0.1, or by the
    /// fixed-field format) are still accepted. A 0.1 seal binds no secret, so someone able to write the database and
    /// holding an old backup could put back an old seal with its old endpoint next to today's secret. After upgrading,
    /// run <see cref="CredentialStore.RewrapAllAsync"/> once (it seals every row again in version 3), then set this to
    /// <see langword="false"/>: a row still carrying an old seal is then treated as tampered.
    /// </summary>
    /// <value><see langword="true"/>, so that stored credentials keep working right after an upgrade.</value>
    public bool AcceptLegacyDestinationSeals { get; set; } = true;
}
