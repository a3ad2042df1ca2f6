using System.CommandLine;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>Runs a command's action and turns what it throws into a message on standard error and an exit code.</summary>
internal static class CommandLineActions
{
    public static void Set(Command command, ToolContext context, Func<ParseResult, CancellationToken, Task<int>> action)
        => command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken);
            }
            catch (ToolException ex)
            {
                context.Error.WriteLine($"eits: {ex.Message}");
                return ex.ExitCode;
            }
            catch (OptionsValidationException ex)
            {
                context.Error.WriteLine($"eits: the configuration is not valid: {ex.Message}");
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Error.WriteLine("eits: stopped.");
                return ExitCodes.Cancelled;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The library's exceptions never carry a secret; the type tells a database error from a bug.
                context.Error.WriteLine($"eits: {ex.GetType().Name}: {ex.Message}");
                return ExitCodes.Failure;
            }
        });
}
