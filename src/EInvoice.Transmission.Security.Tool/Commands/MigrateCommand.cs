using System.CommandLine;
using System.Globalization;
using EInvoice.Transmission.Security.Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>migrate [--dry-run]</c>: the Dapper package's schema migrations, for a database the application account may not change.</summary>
internal static class MigrateCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List the migrations and which are still to apply; change nothing." };
        var command = new Command("migrate", "Create or upgrade the schema (an account allowed to change it runs this; the application then needs none). Needs no key ring.")
        {
            dryRun,
        };
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) =>
            RunAsync(context, global.Read(parseResult), parseResult.GetValue(dryRun), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ToolContext context, GlobalOptions.Values options, bool dryRun, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options, needsKeyRing: false, mustExist: false);
        var repository = host.Services.GetRequiredService<ICredentialRepository>() as DapperCredentialRepository
            ?? throw new ToolException(ExitCodes.Failure, "The configured storage is not the Dapper repository: migrations belong to it.");

        var before = await repository.GetMigrationsAsync(cancellationToken);
        IReadOnlyList<SchemaMigration> after = before;
        if (!dryRun)
        {
            await repository.MigrateAsync(cancellationToken);
            after = await repository.GetMigrationsAsync(cancellationToken);
        }

        var appliedNow = after.Where(m => m.IsApplied && before.Any(b => b.Version == m.Version && !b.IsApplied)).Select(static m => m.Version).ToList();
        var pending = after.Where(static m => !m.IsApplied).Select(static m => m.Version).ToList();
        if (options.Json)
        {
            JsonOutput.Write(context.Out, new
            {
                storage = host.Storage.Description,
                dryRun,
                appliedNow,
                pending,
                migrations = after.Select(static m => new { m.Version, m.Description, m.AppliedAt, state = m.IsApplied ? "applied" : "pending" }),
            });
            return ExitCodes.Success;
        }

        var table = Screen.Table("version", "migration", "state");
        foreach (var migration in after)
        {
            table.Row(
                migration.Version.ToString("D4", CultureInfo.InvariantCulture),
                migration.Description,
                !migration.IsApplied ? "pending" : appliedNow.Contains(migration.Version) ? "applied now" : $"applied {Screen.Time(migration.AppliedAt)}");
        }

        context.Out.WriteLine(host.Storage.Description);
        Screen.Create(context).Write(table);
        context.Out.WriteLine(dryRun
            ? pending.Count == 0 ? "Schema up to date; nothing to apply." : $"{pending.Count} migrations to apply: run 'eits migrate' without --dry-run."
            : appliedNow.Count == 0 ? "Schema up to date; nothing applied." : $"Applied {appliedNow.Count} migrations.");
        return ExitCodes.Success;
    }
}
