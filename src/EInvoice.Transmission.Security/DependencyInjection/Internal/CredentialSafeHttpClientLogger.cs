using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Request logging for the clients that carry credentials, in place of IHttpClientFactory's default logging: that one
/// masks header values in the message text but exposes every raw value (Authorization included) in the structured
/// state of its Trace events, which structured log sinks export. This one logs the same facts — method, address
/// without its query, header names, status, duration — and no credential value anywhere.
/// </summary>
/// <remarks>It keeps the default logger's category, <c>System.Net.Http.HttpClient.{name}.ClientHandler</c>, so log filters still apply.</remarks>
internal sealed class CredentialSafeHttpClientLogger(ILogger logger, Func<string, bool> isSensitiveHeader) : IHttpClientLogger
{
    public static IHttpClientBuilder Replace(IHttpClientBuilder builder, Func<IServiceProvider, Func<string, bool>> isSensitiveHeader)
        => builder.RemoveAllLoggers().AddLogger(
            sp => new CredentialSafeHttpClientLogger(
                sp.GetRequiredService<ILoggerFactory>().CreateLogger($"System.Net.Http.HttpClient.{builder.Name}.ClientHandler"),
                isSensitiveHeader(sp)),
            wrapHandlersPipeline: false);

    public object? LogRequestStart(HttpRequestMessage request)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.HttpRequestStarting(request.Method, Describe(request.RequestUri));
        }

        if (logger.IsEnabled(LogLevel.Trace))
        {
            logger.HttpRequestHeaders(RenderHeaders(request));
        }

        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed)
        => logger.HttpResponseReceived((int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.HttpRequestFailed(request.Method, Describe(request.RequestUri), elapsed.TotalMilliseconds, exception);
        }
    }

    /// <summary>Scheme, host and path; a query string is shown as <c>?*</c>, since APIs sometimes carry keys there.</summary>
    private static string Describe(Uri? uri)
        => uri is null ? string.Empty
            : !uri.IsAbsoluteUri ? uri.OriginalString.Split('?')[0]
            : uri.GetLeftPart(UriPartial.Path) + (uri.Query.Length > 1 ? "?*" : string.Empty);

    private string RenderHeaders(HttpRequestMessage request)
    {
        var text = new StringBuilder();
        foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            text.Append(name).Append(": ").Append(isSensitiveHeader(name) ? "*" : string.Join(", ", values)).Append("; ");
        }

        return text.ToString();
    }
}
