using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>
/// Command-line options. Without them the sample talks to its own local platform; with <c>--token-endpoint</c> and
/// <c>--api-endpoint</c> it talks to any OAuth 2.0 client-credentials server and API instead.
/// </summary>
public sealed record SampleOptions
{
    public const string Usage = """
        Options (all optional; without them the sample hosts its own token endpoint and API on 127.0.0.1):
          --token-endpoint URL   OAuth 2.0 token endpoint (https, or http on a loopback address)
          --api-endpoint URL     the API URL each transmission is sent to
          --client-id ID         OAuth client id
          --client-secret SECRET OAuth client secret (never printed)
          --scope SCOPE          scope to request
          --api-method METHOD    POST (default) or GET
          --transmissions N      how many transmissions to send (default 5)
          --data-directory DIR   where the SQLite file and development keys live (default: a folder in the temp directory)
        """;

    public Uri? TokenEndpoint { get; init; }

    public Uri? ApiEndpoint { get; init; }

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public string? Scope { get; init; }

    public HttpMethod ApiMethod { get; init; } = HttpMethod.Post;

    public int Transmissions { get; init; } = 5;

    public string DataDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "einvoice-transmission-sample");

    /// <summary>True when the options point at an outside server instead of the local platform.</summary>
    public bool IsExternal => TokenEndpoint is not null;

    /// <summary>Reads the options from the command line (through configuration, as the Generic Host does).</summary>
    /// <exception cref="ArgumentException">An option is malformed or one that goes with it is missing.</exception>
    public static SampleOptions Parse(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        var options = new SampleOptions
        {
            TokenEndpoint = ReadUri(configuration, "token-endpoint"),
            ApiEndpoint = ReadUri(configuration, "api-endpoint"),
            ClientId = configuration["client-id"],
            ClientSecret = configuration["client-secret"],
            Scope = configuration["scope"],
            ApiMethod = configuration["api-method"]?.ToUpperInvariant() switch
            {
                null or "POST" => HttpMethod.Post,
                "GET" => HttpMethod.Get,
                var other => throw new ArgumentException($"--api-method must be POST or GET, not '{other}'."),
            },
            Transmissions = configuration["transmissions"] is { } count
                ? int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 10_000
                    ? n
                    : throw new ArgumentException("--transmissions must be a whole number from 1 to 10000.")
                : 5,
        };

        if (configuration["data-directory"] is { Length: > 0 } directory)
        {
            options = options with { DataDirectory = Path.GetFullPath(directory) };
        }

        if (options.IsExternal && (options.ApiEndpoint is null || options.ClientId is null || options.ClientSecret is null))
        {
            throw new ArgumentException("--token-endpoint needs --api-endpoint, --client-id and --client-secret as well.");
        }

        if (!options.IsExternal && (options.ApiEndpoint ?? (object?)options.ClientId ?? options.ClientSecret) is not null)
        {
            throw new ArgumentException("--api-endpoint, --client-id and --client-secret go with --token-endpoint.");
        }

        return options;
    }

    private static Uri? ReadUri(IConfiguration configuration, string name)
    {
        var value = configuration[name];
        if (value is null)
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new ArgumentException($"--{name} must be an absolute http or https URL.");
    }
}
