using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>
/// A stand-in for an e-invoicing platform, on 127.0.0.1 only: an OAuth 2.0 token endpoint (client credentials grant,
/// <c>client_secret_post</c> or <c>client_secret_basic</c>) that issues short-lived opaque tokens, and an API that
/// accepts a transmission only with a token it issued and that has not expired.
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly TimeSpan _tokenLifetime;
    private int _tokenRequests;
    private int _rejected;

    private LocalPlatform(WebApplication app, string clientId, string clientSecret, TimeSpan tokenLifetime)
    {
        _app = app;
        _clientId = clientId;
        _clientSecret = clientSecret;
        _tokenLifetime = tokenLifetime;
    }

    public Uri TokenEndpoint { get; private set; } = null!;

    public Uri ApiEndpoint { get; private set; } = null!;

    public string ClientId => _clientId;

    /// <summary>The client secret this platform accepts; the sample stores it and never prints it.</summary>
    public string ClientSecret => _clientSecret;

    public TimeSpan TokenLifetime => _tokenLifetime;

    public int TokenRequests => _tokenRequests;

    /// <summary>Requests the API refused for lack of a valid token.</summary>
    public int Rejected => _rejected;

    public static async Task<LocalPlatform> StartAsync(TimeSpan tokenLifetime, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var platform = new LocalPlatform(app, "sample-erp", Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), tokenLifetime);
        app.MapPost("/oauth2/token", platform.IssueTokenAsync);
        app.MapPost("/api/v1/invoices", platform.Transmit);
        app.MapGet("/api/v1/invoices", platform.Transmit);
        await app.StartAsync(cancellationToken);

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        platform.TokenEndpoint = new Uri(address, "/oauth2/token");
        platform.ApiEndpoint = new Uri(address, "/api/v1/invoices");
        return platform;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> IssueTokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "client_credentials")
        {
            return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }

        var (clientId, clientSecret) = ReadClient(request, form);
        if (clientId != _clientId || clientSecret is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(_clientSecret)))
        {
            return Results.Json(new { error = "invalid_client", error_description = "Client authentication failed." }, statusCode: 401);
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _tokens[token] = DateTimeOffset.UtcNow + _tokenLifetime;
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = (int)_tokenLifetime.TotalSeconds, scope = form["scope"].ToString() });
    }

    private IResult Transmit(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)
            || !_tokens.TryGetValue(header["Bearer ".Length..], out var expiresAt) || expiresAt <= DateTimeOffset.UtcNow)
        {
            Interlocked.Increment(ref _rejected);
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.StatusCode((int)HttpStatusCode.Unauthorized);
        }

        return Results.Json(new { status = "accepted", id = Guid.NewGuid() }, statusCode: (int)HttpStatusCode.Accepted);
    }

    /// <summary>client_secret_basic (form-urlencoded id and secret, RFC 6749 section 2.3.1) or client_secret_post.</summary>
    private static (string? ClientId, string? ClientSecret) ReadClient(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (null, null) : (WebUtility.UrlDecode(pair[..colon]), WebUtility.UrlDecode(pair[(colon + 1)..]));
        }

        return (form["client_id"], form["client_secret"]);
    }
}
