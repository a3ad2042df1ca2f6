using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) for tests that must cross the real primary handler, such as
/// redirects: it records every request it receives (path, headers, body) and answers with <see cref="Respond"/>.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LoopbackHttpServer(Func<HttpListenerRequest, string, (int Status, string Body, IReadOnlyDictionary<string, string>? Headers)>? respond = null)
    {
        Respond = respond ?? ((_, _) => (200, "{}", null));
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            BaseUri = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(BaseUri.AbsoluteUri);
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; private set; }

    public Func<HttpListenerRequest, string, (int Status, string Body, IReadOnlyDictionary<string, string>? Headers)> Respond { get; set; }

    /// <summary>Every request received: path and query, all headers as one text, and the body.</summary>
    public ConcurrentQueue<(string PathAndQuery, string Headers, string Body)> Received { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception ex) when (!_listener.IsListening && ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The server was stopped while it answered (a background request still in flight at the end of a test).
                return;
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = string.Join("\n", context.Request.Headers.AllKeys.Select(k => $"{k}: {context.Request.Headers[k]}"));
        Received.Enqueue((context.Request.Url!.PathAndQuery, headers, body));

        var (status, responseBody, responseHeaders) = Respond(context.Request, body);
        context.Response.StatusCode = status;
        foreach (var (name, value) in responseHeaders ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        var bytes = Encoding.UTF8.GetBytes(responseBody);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
}
