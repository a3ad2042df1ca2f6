using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Keeps the clients that carry credentials from following redirects, whatever primary handler the host configures.
/// </summary>
/// <remarks>
/// <para>
/// A redirect is followed inside the primary handler, below every delegating handler, so only the primary handler
/// can refuse it. .NET drops <c>Authorization</c> when it follows a redirect to another host, but not a custom header
/// (an API key), and it re-posts a form on 307 and 308 (a client secret). So the library turns automatic redirects
/// off on the primary handler last, after the host's own configuration: the 3xx answer is returned instead.
/// </para>
/// <para>
/// <see cref="SocketsHttpHandler"/> and <see cref="HttpClientHandler"/>, also inside delegating handlers, are covered. A
/// primary handler of another type must not follow redirects itself (documented in README and docs/security.md).
/// </para>
/// </remarks>
internal static class RedirectGuard
{
    public static void Apply(IHttpClientBuilder builder)
    {
        var name = builder.Name;

        // PostConfigure runs after every Configure, so this action comes after the host's ConfigurePrimaryHttpMessageHandler.
        builder.Services.PostConfigure<HttpClientFactoryOptions>(name, options =>
            options.HttpMessageHandlerBuilderActions.Add(handlers => DisableAutoRedirect(handlers.PrimaryHandler, name)));
    }

    private static void DisableAutoRedirect(HttpMessageHandler? handler, string clientName)
    {
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"The primary handler of the HttpClient '{clientName}' follows redirects and has already sent requests, so it cannot be changed. " +
                "Credentials must never follow a redirect: return a new handler from ConfigurePrimaryHttpMessageHandler for each call, or set AllowAutoRedirect = false on it.",
                ex);
        }
    }
}
