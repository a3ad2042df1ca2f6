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

namespace EInvoice.Transmission.Security.Sample.Tests;

/// <summary>
/// An OAuth 2.0 client-credentials server and protected API written for this test, separately from the sample's own
/// platform, with other paths and long-lived tokens: what "any real server" looks like to the sample.
/// </summary>
internal sealed class IndependentOAuthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly string _clientId;
    private readonly string _clientSecret;
    private int _tokenRequests;

    private IndependentOAuthServer(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        _clientId = clientId;
        _clientSecret = clientSecret;
    }

    public Uri TokenEndpoint { get; private set; } = null!;

    public Uri ApiEndpoint { get; private set; } = null!;

    public int TokenRequests => _tokenRequests;

    public ConcurrentQueue<string?> ApiAuthorizations { get; } = new();

    public ConcurrentQueue<string> Scopes { get; } = new();

    public static async Task<IndependentOAuthServer> StartAsync(string clientId, string clientSecret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new IndependentOAuthServer(app, clientId, clientSecret);
        app.MapPost("/connect/token", server.TokenAsync);
        app.MapPost("/v2/submissions", server.Submit);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        server.TokenEndpoint = new Uri(address, "/connect/token");
        server.ApiEndpoint = new Uri(address, "/v2/submissions");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await request.ReadFormAsync();
        Scopes.Enqueue(form["scope"].ToString());
        if (form["grant_type"] != "client_credentials" || form["client_id"] != _clientId || form["client_secret"] != _clientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: (int)HttpStatusCode.BadRequest);
        }

        var token = "ext." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _tokens[token] = _clientId;
        return Results.Text($"{{\"access_token\":\"{token}\",\"token_type\":\"bearer\",\"expires_in\":\"3600\"}}", "application/json", Encoding.UTF8);
    }

    private IResult Submit(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        ApiAuthorizations.Enqueue(header);
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _tokens.ContainsKey(header[7..])
            ? Results.Created("/v2/submissions/1", new { accepted = true })
            : Results.StatusCode((int)HttpStatusCode.Unauthorized);
    }
}
