using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="OAuthTokenProvider"/> to a host's named or typed <see cref="HttpClient"/>.</summary>
public static class EInvoiceTransmissionHttpClientBuilderExtensions
{
    /// <summary>
    /// Authenticates every request of this client with the stored credentials of the company named on the request
    /// (<see cref="EInvoiceHttpRequestMessageExtensions.SetCompanyId"/>): a self-refreshing OAuth access token, or an
    /// ASP's API key.
    /// </summary>
    /// <param name="builder">The client's builder, from <c>services.AddHttpClient(...)</c>.</param>
    /// <param name="environment">The environment this client talks to; credentials of any other environment are refused.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="environment"/> is the default value.</exception>
    /// <exception cref="InvalidOperationException"><c>AddEInvoiceTransmission</c> was not called first, or the client is the library's own token client.</exception>
    /// <remarks>
    /// <para>
    /// The client never follows redirects: automatic redirection is turned off on its primary handler
    /// (<see cref="SocketsHttpHandler"/> or <see cref="HttpClientHandler"/>, also one the host configures), so a 3xx
    /// answer is returned to the caller instead of the credentials being sent to where it points. A primary handler of
    /// another type must not follow redirects itself.
    /// </para>
    /// <para>
    /// The client's IHttpClientFactory request logging is replaced by an equivalent that never logs a credential: the
    /// default one exposes raw header values, Authorization included, in the structured state of its Trace events. It
    /// logs header names only, never their values, since each company's credential kind chooses its own headers.
    /// Calling <c>AddDefaultLogger()</c> on this client afterwards brings that exposure back.
    /// </para>
    /// </remarks>
    public static IHttpClientBuilder AddEInvoiceAuthentication(this IHttpClientBuilder builder, TransmissionEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (environment.IsDefault)
        {
            throw new ArgumentException("Name the environment this client talks to, such as TransmissionEnvironment.Production.", nameof(environment));
        }

        if (!builder.Services.Any(d => d.ServiceType == typeof(EInvoiceTransmissionMarker)))
        {
            throw new InvalidOperationException("Call services.AddEInvoiceTransmission(...) before adding EInvoice authentication to an HttpClient.");
        }

        if (builder.Name == EInvoiceTransmissionDefaults.TokenHttpClientName)
        {
            throw new InvalidOperationException("The token client sends token requests; it must not carry the token handler itself.");
        }

        RedirectGuard.Apply(builder);
        // Each company's kind chooses its own headers (an API key in any header, Chorus Pro's cpro-account, a host's
        // kind's), so no list of names can say which carry credentials: no header value is logged at all.
        CredentialSafeHttpClientLogger.Replace(builder, static _ => static _ => true);
        return builder.AddHttpMessageHandler(sp => new OAuthTokenProvider(
            sp.GetRequiredService<AccessTokenCache>(),
            environment,
            sp.GetRequiredService<ILogger<OAuthTokenProvider>>()));
    }
}
