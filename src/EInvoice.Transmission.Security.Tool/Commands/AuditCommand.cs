using System.CommandLine;

namespace EInvoice.Transmission.Security.Tool.Commands;

/// <summary><c>audit verify</c>: the hash chain and MACs of the audit trail, against a checkpoint recorded elsewhere.</summary>
internal static class AuditCommand
{
    public static Command Create(ToolContext context, GlobalOptions global)
    {
        var expectHead = new Option<string?>("--expect-head")
        {
            Description = "The head hash recorded after an earlier verification (with --expect-count): the entry at that count must still be this one.",
            HelpName = "HASH",
        };
        var expectCount = new Option<long?>("--expect-count")
        {
            Description = "The entry count recorded after an earlier verification: a trail with fewer entries was cut at the end.",
            HelpName = "N",
        };
        var verify = new Command("verify", "Verify the audit trail: every entry authenticated, linked and in order; print the head to record elsewhere.")
        {
            expectHead,
            expectCount,
        };
        CommandLineActions.Set(verify, context, (parseResult, cancellationToken) =>
            VerifyAsync(context, global.Read(parseResult), parseResult.GetValue(expectHead), parseResult.GetValue(expectCount), cancellationToken));

        var audit = new Command("audit", "The hash-chained audit trail of credential changes.");
        audit.Subcommands.Add(verify);
        return audit;
    }

    private static async Task<int> VerifyAsync(ToolContext context, GlobalOptions.Values options, string? expectHead, long? expectCount, CancellationToken cancellationToken)
    {
        if (expectHead is not null && expectCount is null)
        {
            throw new ToolException("--expect-head needs --expect-count: the head hash is checked at that entry.");
        }

        if (expectCount is < 0)
        {
            throw new ToolException("--expect-count cannot be negative.");
        }

        await using var host = ToolHost.Create(context, options);
        var checkpoint = expectCount is { } count ? new AuditCheckpoint(count, expectHead?.Trim().ToLowerInvariant()) : null;
        var result = await host.Store.VerifyAuditTrailAsync(checkpoint, cancellationToken);
        var exitCode = result.Break switch
        {
            AuditBreakKind.None => ExitCodes.Success,
            AuditBreakKind.Missing => ExitCodes.AuditMissing,
            AuditBreakKind.Truncated => ExitCodes.AuditTruncated,
            AuditBreakKind.Unverifiable => ExitCodes.AuditUnverifiable,
            _ => ExitCodes.AuditChanged,
        };

        if (options.Json)
        {
            JsonOutput.Write(context.Out, new
            {
                intact = result.IsIntact,
                @break = result.Break,
                entryCount = result.EntryCount,
                headHash = result.HeadHash,
                firstBrokenSequence = result.FirstBrokenSequence,
                problem = result.Problem,
                unkeyedEntryCount = result.UnkeyedEntryCount,
                exitCode,
            });
            return exitCode;
        }

        if (result.IsIntact)
        {
            context.Out.WriteLine($"Audit trail intact: {result.EntryCount} entries.");
            context.Out.WriteLine($"Head: {result.HeadHash ?? "(empty trail)"}");
            context.Out.WriteLine("Record both outside the database (only a checkpoint shows entries cut off the end), and check against them next time:");
            context.Out.WriteLine(result.HeadHash is null
                ? $"  eits audit verify --expect-count {result.EntryCount}"
                : $"  eits audit verify --expect-count {result.EntryCount} --expect-head {result.HeadHash}");
        }
        else
        {
            var what = result.Break switch
            {
                AuditBreakKind.Missing => "an entry was removed",
                AuditBreakKind.Truncated => "entries at the end were removed",
                AuditBreakKind.Unverifiable => "an entry cannot be verified",
                _ => "an entry was changed",
            };
            context.Out.WriteLine($"Audit trail BROKEN at entry {result.FirstBrokenSequence} ({what}): {Screen.Safe(result.Problem)}.");
            context.Out.WriteLine($"{result.EntryCount} entries were read before it. Find out who can write the database (docs/security.md).");
        }

        return exitCode;
    }
}
