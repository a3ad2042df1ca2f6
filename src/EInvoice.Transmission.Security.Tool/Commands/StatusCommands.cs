using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>status [COMPANY]</c> and <c>list [--failing]</c>: the safe status (<see cref="CredentialStatus"/>), never a secret.</summary>
internal static class StatusCommands
{
    private const int PageSize = 1000;

    public static Command CreateStatus(ToolContext context, GlobalOptions global)
    {
        var company = new Argument<string?>("COMPANY")
        {
            Description = "A company id; without it, a summary of every company.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("status", "The safe status of one company's credentials, or a summary of all.") { company };
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) =>
            parseResult.GetValue(company) is { } id
                ? CompanyAsync(context, global.Read(parseResult), id, cancellationToken)
                : SummaryAsync(context, global.Read(parseResult), cancellationToken));
        return command;
    }

    public static Command CreateList(ToolContext context, GlobalOptions global)
    {
        var failing = new Option<bool>("--failing")
        {
            Description = "Only companies whose credentials failed as far as storage knows: refused by their platform, last connection test failed, destination tampered with, or incomplete.",
        };
        var expiring = new Option<int?>("--expiring")
        {
            Description = "Only companies with a secret that has expired or expires within DAYS days (as entered or read from the material, sealed with the credentials).",
            HelpName = "DAYS",
        };
        expiring.Validators.Add(static result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0 or > 36_500)
            {
                result.AddError("--expiring takes a number of days from 0 to 36500.");
            }
        });
        var command = new Command("list", "Every company's safe status, one row each.") { failing, expiring };
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) =>
            ListAsync(context, global.Read(parseResult), parseResult.GetValue(failing), parseResult.GetValue(expiring), cancellationToken));
        return command;
    }

    /// <summary>
    /// Why storage says a company's credentials do not work, or <see langword="null"/>. Transient failures (network,
    /// a platform's 5xx, back-off) live only in a running host's memory and are not seen here.
    /// </summary>
    internal static string? Failure(CredentialStatus status)
        => !status.IsDestinationIntact ? $"destination failed its integrity check ({string.Join(", ", status.TamperedFields)})"
            : !status.IsConfigured ? "not configured (a required field is missing, or the kind is not registered)"
            : status.LastConnectionTest is { Succeeded: false } test ? $"last connection test failed: {test.Error}"
            : status.IsValid == false ? "refused by its platform (credentials marked invalid)"
            : null;

    private static async Task<int> CompanyAsync(ToolContext context, GlobalOptions.Values options, string companyId, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options);
        var status = await CompanyIds.Guard(() => host.Store.GetStatusAsync(companyId, cancellationToken));
        if (status is null)
        {
            context.Error.WriteLine($"eits: no credentials are stored for company '{companyId}'.");
            return ExitCodes.NotFound;
        }

        if (options.Json)
        {
            JsonOutput.Write(context.Out, status);
            return ExitCodes.Success;
        }

        var table = Screen.Table("company", status.CompanyId);
        table.Row("kind", status.Kind);
        table.Row("environment", status.Environment.Name);
        table.Row("configured", Screen.YesNo(status.IsConfigured));
        table.Row("destination intact", status.IsDestinationIntact ? "yes" : $"NO: {string.Join(", ", status.TamperedFields)}");
        table.Row("valid", Screen.YesNo(status.IsValid));
        table.Row("last validated", Screen.Time(status.LastValidatedAt));
        table.Row("last connection test", status.LastConnectionTest is { } test
            ? $"{Screen.Time(test.TestedAt)} {(test.Succeeded ? "succeeded" : $"failed: {test.Error}")}"
            : "-");
        table.Row("configured at", Screen.Time(status.ConfiguredAt));
        table.Row("configured by", status.ConfiguredBy);
        table.Row("version", status.Version.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, expiresAt) in status.SecretExpiries.OrderBy(static e => e.Value))
        {
            table.Row($"{name} expires", Screen.Time(expiresAt));
        }

        if (status.StagedFields.Count > 0)
        {
            table.Row("staged", string.Join(", ", status.StagedFields));
        }

        if (status.ServingSecretName is { } serving)
        {
            table.Row("serving secret", serving);
        }
        foreach (var (name, value) in status.Settings.OrderBy(static s => s.Key, StringComparer.Ordinal))
        {
            table.Row(name, value);
        }

        table.Row("secrets", status.SecretNames.Count == 0 ? "-" : string.Join(", ", status.SecretNames) + " (stored, sealed)");
        table.Row("access token", status.AccessTokenExpiresAt is { } expires ? $"cached, expires {Screen.Time(expires)}" : "-");
        Screen.Create(context).Write(table);
        return ExitCodes.Success;
    }

    private static async Task<int> SummaryAsync(ToolContext context, GlobalOptions.Values options, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options);
        long companies = 0, configured = 0, tampered = 0, invalid = 0, testFailed = 0, failing = 0;
        var kinds = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await foreach (var status in AllAsync(host.Store, cancellationToken))
        {
            companies++;
            configured += status.IsConfigured ? 1 : 0;
            tampered += status.IsDestinationIntact ? 0 : 1;
            invalid += status.IsValid == false ? 1 : 0;
            testFailed += status.LastConnectionTest is { Succeeded: false } ? 1 : 0;
            failing += Failure(status) is null ? 0 : 1;
            var key = $"{status.Kind} / {status.Environment.Name}";
            kinds[key] = kinds.GetValueOrDefault(key) + 1;
        }

        var activeKeyId = host.Services.GetService(typeof(CredentialVault)) is CredentialVault vault ? vault.ActiveKeyId : null;
        if (options.Json)
        {
            JsonOutput.Write(context.Out, new
            {
                storage = host.Storage.Description,
                activeKeyId,
                companies,
                configured,
                destinationTampered = tampered,
                invalid,
                lastConnectionTestFailed = testFailed,
                failing,
                byKindAndEnvironment = kinds,
            });
            return ExitCodes.Success;
        }

        var table = Screen.Table("storage", host.Storage.Description);
        table.Row("active key", activeKeyId);
        table.Row("companies", companies.ToString(CultureInfo.InvariantCulture));
        table.Row("configured", configured.ToString(CultureInfo.InvariantCulture));
        table.Row("destination tampered", tampered.ToString(CultureInfo.InvariantCulture));
        table.Row("marked invalid", invalid.ToString(CultureInfo.InvariantCulture));
        table.Row("last test failed", testFailed.ToString(CultureInfo.InvariantCulture));
        table.Row("failing (eits list --failing)", failing.ToString(CultureInfo.InvariantCulture));
        foreach (var (kind, count) in kinds)
        {
            table.Row(kind, count.ToString(CultureInfo.InvariantCulture));
        }

        Screen.Create(context).Write(table);
        return ExitCodes.Success;
    }

    private static async Task<int> ListAsync(ToolContext context, GlobalOptions.Values options, bool failingOnly, int? expiringDays, CancellationToken cancellationToken)
    {
        await using var host = ToolHost.Create(context, options);
        var rows = new List<(CredentialStatus Status, string? Failure)>();
        var expiringBefore = expiringDays is { } days ? context.TimeProvider.GetUtcNow().AddDays(days) : (DateTimeOffset?)null;
        await foreach (var status in AllAsync(host.Store, cancellationToken))
        {
            var failure = Failure(status);
            if ((!failingOnly || failure is not null) && (expiringBefore is not { } before || status.ExpiresAt <= before))
            {
                rows.Add((status, failure));
            }
        }

        if (options.Json)
        {
            JsonOutput.Write(context.Out, new
            {
                count = rows.Count,
                companies = rows.Select(static r => new { status = r.Status, failure = r.Failure }),
            });
            return ExitCodes.Success;
        }

        var table = Screen.Table("company", "kind", "environment", "configured", "valid", "last test", "expires", "configured at", "by", "failure");
        foreach (var (status, failure) in rows)
        {
            table.Row(
                status.CompanyId,
                status.Kind,
                status.Environment.Name,
                Screen.YesNo(status.IsConfigured),
                Screen.YesNo(status.IsValid),
                status.LastConnectionTest is { } test ? $"{Screen.Time(test.TestedAt)} {(test.Succeeded ? "ok" : "failed")}" : "-",
                status.ExpiresAt is { } expiresAt ? $"{Screen.Time(expiresAt)} ({status.FirstToExpire})" : "-",
                Screen.Time(status.ConfiguredAt),
                status.ConfiguredBy,
                failure ?? string.Empty);
        }

        var console = Screen.Create(context);
        console.Write(table);
        context.Out.WriteLine(
            failingOnly ? $"{rows.Count} failing companies."
            : expiringDays is { } within ? $"{rows.Count} companies with a secret expired or expiring within {within} days."
            : $"{rows.Count} companies.");
        return ExitCodes.Success;
    }

    /// <summary>Every status, a page at a time, so that 100,000 companies are read in 100 round trips.</summary>
    private static async IAsyncEnumerable<CredentialStatus> AllAsync(CredentialStore store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = await store.ListStatusesAsync(after, PageSize, cancellationToken);
            foreach (var status in page)
            {
                yield return status;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].CompanyId;
        }
    }
}
