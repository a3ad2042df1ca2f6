using System.CommandLine;
using EInvoice.Transmission.Security.Tool.Commands;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>The <c>eits</c> command line; the program and the in-process tests both run it through <see cref="InvokeAsync"/>.</summary>
internal static class EitsCommandLine
{
    public static RootCommand Build(ToolContext context)
    {
        var global = new GlobalOptions();
        var root = new RootCommand(
            "eits: operate EInvoice.Transmission.Security — keys, key rotation, audit verification, status, connection tests, migrations. " +
            "It never changes a company's credentials: that needs MFA in the host's admin UI.");
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(KeyCommands.Create(context, global));
        root.Subcommands.Add(RewrapCommand.Create(context, global));
        root.Subcommands.Add(AuditCommand.Create(context, global));
        root.Subcommands.Add(StatusCommands.CreateStatus(context, global));
        root.Subcommands.Add(StatusCommands.CreateList(context, global));
        root.Subcommands.Add(TestCommand.Create(context, global));
        root.Subcommands.Add(MigrateCommand.Create(context, global));
        return root;
    }

    /// <summary>Parses and runs a command line.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="context">Where to write and what to read.</param>
    /// <param name="cancellationToken">A stop request (Ctrl+C): <c>rewrap</c> stops after the batch it is in, other commands at once.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> InvokeAsync(string[] args, ToolContext context, CancellationToken cancellationToken)
    {
        var parseResult = Build(context).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                context.Error.WriteLine($"eits: {error.Message}");
            }

            context.Error.WriteLine("Run 'eits --help' (or 'eits COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(
            new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,

                // The program handles Ctrl+C itself (Program.cs): the first press is a stop request, honoured between
                // batches; the library's default would end the process two seconds later, in the middle of one.
                ProcessTerminationTimeout = null,
            },
            cancellationToken);
    }
}
