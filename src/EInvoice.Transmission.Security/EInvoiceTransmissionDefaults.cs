namespace EInvoice.Transmission.Security;

/// <summary>
/// Well-known names used by the library: configuration sections and settings.
/// </summary>
public static class EInvoiceTransmissionDefaults
{
    /// <summary>The configuration section that holds every setting of the library: <c>EInvoiceTransmission</c>.</summary>
    public const string ConfigurationSectionName = "EInvoiceTransmission";

    /// <summary>The sub-section of <see cref="ConfigurationSectionName"/> that configures the credential vault: <c>Vault</c>.</summary>
    public const string VaultSectionName = "Vault";

    /// <summary>The sub-section of <see cref="ConfigurationSectionName"/> that configures the credential store: <c>Credentials</c>.</summary>
    public const string CredentialsSectionName = "Credentials";

    /// <summary>
    /// The service key of the <see cref="System.Data.Common.DbDataSource"/> that storage packages use in preference to
    /// an unkeyed one, so that credentials can live apart from the application's own database.
    /// </summary>
    public const string DataSourceKey = "EInvoice.Transmission.Security";

    /// <summary>The sub-section of <see cref="ConfigurationSectionName"/> that configures token handling: <c>OAuth</c>.</summary>
    public const string OAuthSectionName = "OAuth";

    /// <summary>The configuration section of <see cref="CredentialExpiryReminderOptions"/> inside <see cref="ConfigurationSectionName"/>: <c>Reminders</c>.</summary>
    public const string RemindersSectionName = "Reminders";

    /// <summary>
    /// The name of the <see cref="System.Net.Http.HttpClient"/> that sends token requests. Configure it to add a proxy or
    /// resilience to token requests: <c>services.AddHttpClient(EInvoiceTransmissionDefaults.TokenHttpClientName)…</c>.
    /// Its primary handler follows no redirects, so a client secret is never re-sent elsewhere.
    /// </summary>
    public const string TokenHttpClientName = "EInvoice.Transmission.Security.Token";
}
