using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>What a <see cref="CredentialKind"/> gets to obtain an access token for one company.</summary>
/// <remarks>
/// <para>
/// <see cref="HttpClient"/> is the library's token client: it never follows redirects and logs no header or body. The
/// library applies <see cref="OAuthOptions.TokenRequestTimeout"/> to the whole call through the cancellation token.
/// </para>
/// <para>
/// Throw <see cref="OAuthTokenException"/> for a refusal or failure (with <see cref="OAuthTokenException.IsTransient"/>
/// set right: a permanent refusal is not asked again with the same credentials). Its description is scrubbed of every
/// secret of the company before anyone sees it; any other exception is reported by its type only.
/// </para>
/// </remarks>
public sealed class TokenRequestContext
{
    internal TokenRequestContext(CredentialValues values, HttpClient httpClient, TimeProvider timeProvider, TokenClient tokenClient)
    {
        Values = values;
        HttpClient = httpClient;
        TimeProvider = timeProvider;
        TokenClient = tokenClient;
    }

    /// <summary>Gets the company.</summary>
    public string CompanyId => Values.CompanyId;

    /// <summary>Gets the company's credentials, secrets opened.</summary>
    public CredentialValues Values { get; }

    /// <summary>Gets the client to send token requests with.</summary>
    public HttpClient HttpClient { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    internal TokenClient TokenClient { get; }
}
