using System.ComponentModel.DataAnnotations;

// RangeAttribute(Type, string, string) reads its type by reflection when used through DataAnnotations; these options
// are checked by the source-generated validator ([OptionsValidator]), which compares without reflection.
#pragma warning disable IL2026

namespace EInvoice.Transmission.Security;

/// <summary>Options of the token handling, bound from <c>EInvoiceTransmission:OAuth</c>.</summary>
public sealed class OAuthOptions
{

    /// <summary>Gets or sets how long before expiry a token is refreshed in the background; never more than half the token's lifetime.</summary>
    /// <value>5 minutes. Between 0 and 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the scope requested when a company's credentials name none. Empty: no scope parameter.</summary>
    /// <value><c>einvoice:transmit einvoice:status</c>.</value>
    public string DefaultScope { get; set; } = "einvoice:transmit einvoice:status";

    /// <summary>Gets or sets how the client authenticates to the token endpoint when a company's credentials set no <see cref="OAuthClientCredentialsKind.ClientAuthentication"/>.</summary>
    /// <value><see cref="OAuthClientAuthentication.ClientSecretPost"/>.</value>
    public OAuthClientAuthentication ClientAuthentication { get; set; } = OAuthClientAuthentication.ClientSecretPost;

    /// <summary>Gets or sets how long a token request may take before it fails as a transient timeout.</summary>
    /// <value>10 seconds. Between 1 second and 5 minutes.</value>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan TokenRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the lifetime assumed when a token response has no <c>expires_in</c>.</summary>
    /// <value>5 minutes. Between 10 seconds and 24 hours.</value>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the first wait after a failed token request; each further failure doubles it, up to <see cref="MaxBackoff"/>. A <c>Retry-After</c> header wins.</summary>
    /// <value>1 second. Between 100 milliseconds and 1 minute.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest wait between two failed token requests of one company.</summary>
    /// <value>2 minutes. Between <see cref="InitialBackoff"/> and 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets how often storage is asked which companies' credentials changed, so that a change made by another
    /// process (which cannot notify this one) stops the old credentials within this interval. It is a few small queries for
    /// all companies, reading the audit trail's new entries (every change writes one). Each cached company's row is also
    /// read again at least every 60 intervals, which notices changes that bypass the library and write no audit entry
    /// (a restored backup, a hand edit).
    /// </summary>
    /// <value>1 minute. Between 1 second and 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CredentialRecheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how long a company may send no request before the cache forgets it (its token stays in storage and
    /// is reused by its next request), so that a host serving many companies keeps memory only for those that send.
    /// </summary>
    /// <value>1 hour. Between 1 minute and 7 days.</value>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan IdleCompanyEviction { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the header that carries an API key when a company's credentials set no <see cref="ApiKeyKind.HeaderName"/>.</summary>
    /// <value><c>X-API-Key</c>.</value>
    public string ApiKeyHeaderName { get; set; } = "X-API-Key";

    /// <summary>Gets or sets the header that carries the company's identifier when its credentials set no <see cref="ApiKeyKind.IdentifierHeader"/>; <see langword="null"/> to send none.</summary>
    /// <value><see langword="null"/>.</value>
    public string? AspIdentifierHeaderName { get; set; }
}
