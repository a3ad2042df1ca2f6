using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary>What one run of the tool returned and wrote.</summary>
public sealed record ToolRun(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output parsed as the one JSON document <c>--json</c> promises.</summary>
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {ExitCode}\n--- out ---\n{Out}\n--- error ---\n{Error}";
}

/// <summary>Runs <c>eits</c> in process through its command line, with a configuration in memory instead of the environment.</summary>
public sealed class Eits
{
    private readonly List<ToolRun> _runs = [];

    public Eits(IReadOnlyDictionary<string, string?> configuration) => Configuration = configuration;

    public IReadOnlyDictionary<string, string?> Configuration { get; set; }

    /// <summary>Every run so far, to search for secrets.</summary>
    public IReadOnlyList<ToolRun> Runs => _runs;

    public static Dictionary<string, string?> KeyRing(string activeKeyId, params (string Id, string Key)[] keys)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["EInvoiceTransmission:Vault:ActiveKeyId"] = activeKeyId,

            // The seeded companies' APIs listen on 127.0.0.1 over plain http.
            ["EInvoiceTransmission:Credentials:AllowHttpOnLoopback"] = "true",
        };
        foreach (var (id, key) in keys)
        {
            configuration[$"EInvoiceTransmission:Vault:Keys:{id}"] = key;
        }

        return configuration;
    }

    public Task<ToolRun> RunAsync(params string[] args) => RunAsync(args, null, CancellationToken.None);

    /// <summary>Runs a command line; <paramref name="output"/> replaces the captured standard output (to watch it as it is written).</summary>
    public async Task<ToolRun> RunAsync(string[] args, StringWriter? output, CancellationToken cancellationToken)
    {
        var @out = output ?? new StringWriter();
        var error = new StringWriter();
        var context = new ToolContext
        {
            Out = @out,
            Error = error,
            IsTerminal = false,
            UserName = "operator",
            AddEnvironment = builder => builder.AddInMemoryCollection(Configuration),
        };
        var exitCode = await EitsCommandLine.InvokeAsync(args, context, cancellationToken);
        var run = new ToolRun(exitCode, @out.ToString(), error.ToString());
        _runs.Add(run);
        return run;
    }

    /// <summary>No run wrote any of these anywhere: standard output or standard error.</summary>
    public void ShouldNotHaveWritten(IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            foreach (var run in _runs)
            {
                (run.Out + run.Error).Should().NotContain(secret, "no output of the tool may hold a secret (run: {0})", run);
            }
        }
    }
}

/// <summary>Standard output that cancels a token when a line starting with a prefix is written: a Ctrl+C right after that line.</summary>
public sealed class StopWhenWritten(string linePrefix, CancellationTokenSource stop) : StringWriter
{
    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        if (value is not null && value.StartsWith(linePrefix, StringComparison.Ordinal))
        {
            stop.Cancel();
        }
    }
}
