using Microsoft.Extensions.Configuration;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>
/// Where a run of the tool writes and what it reads from its surroundings: the real console and environment for the
/// program, writers and an in-memory configuration for tests that run it in process.
/// </summary>
internal sealed class ToolContext
{
    /// <summary>Results: tables, or one JSON document with <c>--json</c>.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors, warnings and, with <c>--json</c>, progress lines.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether <see cref="Out"/> is an interactive terminal: a live progress bar and colours instead of plain lines.</summary>
    public bool IsTerminal { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Adds the environment to the configuration, after <c>--config</c>'s file so that it wins, as in a host.</summary>
    public Action<IConfigurationBuilder> AddEnvironment { get; init; } = static builder => builder.AddEnvironmentVariables();

    /// <summary>Who runs the tool, for the default audit actor of <c>rewrap</c>.</summary>
    public string UserName { get; init; } = Environment.UserName;

    public static ToolContext FromConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        IsTerminal = !Console.IsOutputRedirected,
    };
}
