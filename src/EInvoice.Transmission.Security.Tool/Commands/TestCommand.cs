using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>test COMPANY</c>: the library's connection test, its outcome recorded on the company and printed scrubbed.</summary>
internal static class TestCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var company = new Argument<string>("COMPANY") { Description = "The company id." };
        var command = new Command("test", "Test a company's stored credentials against their platform (a token request, or a GET of the API endpoint) and record the outcome.")
        {
            company,
        };
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) =>
            RunAsync(context, global.Read(parseResult), parseResult.GetValue(company)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ToolContext context, GlobalOptions.Values options, string companyId, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options);
        if (await CompanyIds.Guard(() => host.Store.GetStatusAsync(companyId, cancellationToken)) is null)
        {
            context.Error.WriteLine($"eits: no credentials are stored for company '{companyId}'.");
            return ExitCodes.NotFound;
        }

        // The error text is the library's, scrubbed of every secret of the company before it gets here.
        var result = await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(companyId, cancellationToken);
        if (options.Json)
        {
            JsonOutput.Write(context.Out, new { companyId, succeeded = result.Succeeded, testedAt = result.TestedAt, error = result.Error });
        }
        else
        {
            context.Out.WriteLine(result.Succeeded
                ? $"{companyId}: connection test succeeded at {Screen.Time(result.TestedAt)}."
                : $"{companyId}: connection test FAILED at {Screen.Time(result.TestedAt)}: {Screen.Safe(result.Error)}");
        }

        return result.Succeeded ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
