using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>rewrap</c>: the key rotation (<see cref="CredentialStore.RewrapAllAsync"/>) with progress, stopped cleanly by Ctrl+C between batches.</summary>
internal static class RewrapCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var batch = new Option<int?>("--batch")
        {
            Description = "Companies per batch, 1 to 10,000 (default: EInvoiceTransmission:Credentials:RotationBatchSize, 100).",
            HelpName = "N",
        };
        var actor = new Option<string?>("--actor")
        {
            Description = "Who runs the rotation, recorded in the audit trail (default eits:<user name>).",
            HelpName = "NAME",
        };
        var command = new Command("rewrap", "Move every stored envelope to the active key, in batches, without decrypting any secret. Ctrl+C stops between batches; run again to resume.")
        {
            batch,
            actor,
        };
        CommandLineActions.Set(command, context, (parseResult, cancellationToken) =>
            RunAsync(context, global.Read(parseResult), parseResult.GetValue(batch), parseResult.GetValue(actor), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ToolContext context, GlobalOptions.Values options, int? batch, string? actor, CancellationToken stopRequested)
    {
        if (batch is < 1 or > 10_000)
        {
            throw new ToolException("--batch must be between 1 and 10,000.");
        }

        actor ??= $"eits:{context.UserName}";
        await using var host = ToolHost.Create(context, options, configure: builder =>
        {
            if (batch is { } size)
            {
                builder.ConfigureCredentialStore(o => o.RotationBatchSize = size);
            }
        });
        var repository = host.Services.GetRequiredService<ICredentialRepository>();
        var activeKeyId = host.Services.GetRequiredService<CredentialVault>().ActiveKeyId;

        // Counted first, so that progress can say "of how many" and estimate the time left.
        var before = await KeyUsage.ScanAsync(repository, activeKeyId, stopRequested);
        var total = before.Credentials;

        // A stop request (Ctrl+C) is honoured only after a batch is written and reported: this source stops the rotation
        // before it reads the next batch. Each credential is rewritten atomically, so a second Ctrl+C (the process ends
        // at once) loses nothing either.
        using var stopNow = new CancellationTokenSource();
        var progress = new BatchProgress(total, stopNow, stopRequested);
        var started = context.TimeProvider.GetTimestamp();
        var plain = options.Json ? context.Error : context.Out;
        KeyRotationResult? result = null;
        try
        {
            if (context.IsTerminal && !options.Json)
            {
                var console = Screen.Create(context);
                await console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async progressContext =>
                    {
                        var task = progressContext.AddTask(Describe(0, total, 0, 0), maxValue: Math.Max(total, 1));
                        progress.Show = p =>
                        {
                            task.Value = p.Scanned;
                            task.Description = Describe(p.Scanned, total, p.Rewrapped, Rate(context, started, p.Scanned));
                        };
                        result = await host.Store.RewrapAllAsync(actor, progress, stopNow.Token);
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                progress.Show = p => plain.WriteLine(PlainLine(context, started, p, total));
                result = await host.Store.RewrapAllAsync(actor, progress, stopNow.Token);
            }
        }
        catch (OperationCanceledException) when (stopNow.IsCancellationRequested)
        {
            var last = progress.Last;
            if (options.Json)
            {
                JsonOutput.Write(context.Out, new
                {
                    completed = false,
                    activeKeyId,
                    total,
                    scanned = last.Scanned,
                    rewrapped = last.Rewrapped,
                    resume = "Run the same command again: companies already under the active key are skipped.",
                });
            }
            else
            {
                context.Out.WriteLine($"Stopped after a batch: {last.Scanned} of {total} companies scanned, {last.Rewrapped} moved to {activeKeyId}.");
                context.Out.WriteLine("Every credential is intact: each one is rewritten atomically, under the old key or the new one.");
                context.Out.WriteLine("Run the same command again to resume: companies already under the active key are skipped.");
            }

            return ExitCodes.Cancelled;
        }

        // Read again, so that the report says what is stored now, not what the run believes it did.
        var after = await KeyUsage.ScanAsync(repository, activeKeyId, CancellationToken.None);
        var report = new RewrapReport(
            Completed: true,
            ActiveKeyId: result!.ActiveKeyId,
            Scanned: result.Scanned,
            Rewrapped: result.Rewrapped,
            AlreadyUnderActiveKey: result.Scanned - result.Rewrapped - result.FailedCompanyIds.Count,
            FailedCompanyIds: result.FailedCompanyIds,
            CompaniesStillUnderOtherKeys: after.NotOnlyUnderActiveKey);
        if (options.Json)
        {
            JsonOutput.Write(context.Out, report);
        }
        else
        {
            var summary = Screen.Table("rotation to " + report.ActiveKeyId, "companies");
            summary.Row("scanned", Count(report.Scanned));
            summary.Row("moved now", Count(report.Rewrapped));
            summary.Row("already under the active key", Count(report.AlreadyUnderActiveKey));
            summary.Row("failed", Count(report.FailedCompanyIds.Count));
            summary.Row("still under another key", Count(report.CompaniesStillUnderOtherKeys));
            Screen.Create(context).Write(summary);
            if (report.FailedCompanyIds.Count > 0)
            {
                context.Out.WriteLine("These companies could not be moved (their envelopes do not open with the keys of the ring, or their destination failed its check):");
                foreach (var company in report.FailedCompanyIds)
                {
                    context.Out.WriteLine($"  {Screen.Safe(company)}");
                }

                context.Out.WriteLine("Keep the old key in the ring until they are fixed; 'eits status COMPANY' shows each one.");
            }
            else if (report.CompaniesStillUnderOtherKeys == 0)
            {
                context.Out.WriteLine($"Everything stored is sealed under {report.ActiveKeyId}; older keys may leave the ring once every instance has it active.");
            }
            else
            {
                context.Out.WriteLine("Some companies were written under another key while the rotation ran (an instance without the new active key?): run 'eits rewrap' again.");
            }
        }

        return report.FailedCompanyIds.Count > 0 ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static double Rate(ToolContext context, long started, long scanned)
    {
        var seconds = context.TimeProvider.GetElapsedTime(started).TotalSeconds;
        return seconds > 0 ? scanned / seconds : 0;
    }

    private static string Describe(long scanned, long total, long rewrapped, double rate)
        => Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{scanned:N0}/{total:N0} companies, {rewrapped:N0} moved, {rate:N0}/s"));

    /// <summary>One line per batch when output is not a terminal: what a log or a CI job can keep.</summary>
    private static string PlainLine(ToolContext context, long started, KeyRotationProgress progress, long total)
    {
        var rate = Rate(context, started, progress.Scanned);
        var percent = total == 0 ? 100 : Math.Min(100, progress.Scanned * 100 / total);
        var eta = rate > 0 && total > progress.Scanned ? TimeSpan.FromSeconds(Math.Ceiling((total - progress.Scanned) / rate)) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture, $"rewrap: {progress.Scanned}/{total} companies ({percent}%), {progress.Rewrapped} moved, {rate:0.#}/s, ETA {eta:c}");
    }

    private sealed record RewrapReport(
        bool Completed,
        string ActiveKeyId,
        long Scanned,
        long Rewrapped,
        long AlreadyUnderActiveKey,
        IReadOnlyList<string> FailedCompanyIds,
        long CompaniesStillUnderOtherKeys);

    /// <summary>
    /// Called synchronously by the rotation after each batch (not <see cref="Progress{T}"/>, which posts to the thread
    /// pool and could report after the rotation already read the next batch).
    /// </summary>
    private sealed class BatchProgress(long total, CancellationTokenSource stopNow, CancellationToken stopRequested) : IProgress<KeyRotationProgress>
    {
        public Action<KeyRotationProgress> Show { get; set; } = static _ => { };

        public KeyRotationProgress Last { get; private set; } = new(0, 0);

        public void Report(KeyRotationProgress value)
        {
            Last = value;
            Show(value);

            // After the last batch there is nothing left to stop: let the rotation write its audit entry.
            if (stopRequested.IsCancellationRequested && value.Scanned < total)
            {
                stopNow.Cancel();
            }
        }
    }
}
