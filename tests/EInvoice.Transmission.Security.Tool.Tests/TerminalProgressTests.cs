using System.Diagnostics;
using static EInvoice.Transmission.Security.Tool.Tests.SeededCompanies;

namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary>
/// <c>rewrap</c> as a real process: a live progress bar on a pseudo-terminal (<c>script</c>), plain lines when standard
/// output is redirected. Skipped with a message where <c>script</c> is missing, except in CI, where it fails.
/// </summary>
public sealed class TerminalProgressTests : IAsyncLifetime
{
    private static readonly string ToolDll = Path.Combine(AppContext.BaseDirectory, "EInvoice.Transmission.Security.Tool.dll");
    private readonly ToolDatabase.Sqlite _database = new();
    private SeededCompanies? _companies;

    public async Task InitializeAsync() => _companies = await CreateAsync(_database, 5);

    public async Task DisposeAsync()
    {
        await _companies!.DisposeAsync();
        await _database.DisposeAsync();
    }

    [SkippableFact]
    public async Task Rewrap_OnAPseudoTerminal_DrawsAProgressBar()
    {
        var script = FindScript();
        var command = $"dotnet {Quote(ToolDll)} rewrap --batch 2 --sqlite {Quote(_database.Path)}";

        // util-linux script: -q quiet, -e the child's exit code, -f flush, -c the command; the typescript is discarded.
        var (exitCode, output) = await RunAsync(script, ["-qefc", command, "/dev/null"]);

        exitCode.Should().Be(ExitCodes.Success, output);
        // .NET itself writes a few escape sequences to any terminal; these two are the live display's: the cursor
        // hidden while the bar is redrawn, and the bar.
        output.Should().Contain("\u001b[?25l", "a terminal gets a live, redrawn display").And.Contain("\u2501", "the bar is drawn");
        output.Should().Contain("100%").And.Contain("5/5 companies");
        output.Should().NotContain("rewrap: ", "plain progress lines are for redirected output");
        foreach (var canary in _companies!.Canaries)
        {
            output.Should().NotContain(canary);
        }
    }

    [Fact]
    public async Task Rewrap_RedirectedToAPipe_WritesPlainProgressLines()
    {
        var (exitCode, output) = await RunAsync("dotnet", [ToolDll, "rewrap", "--batch", "2", "--sqlite", _database.Path]);

        exitCode.Should().Be(ExitCodes.Success, output);
        output.Should().Contain("rewrap: 2/5 companies (40%)").And.Contain("rewrap: 4/5 companies (80%)").And.Contain("rewrap: 5/5 companies (100%)");
        output.Should().NotContain("\u001b", "no escape sequences in a log");
        foreach (var canary in _companies!.Canaries)
        {
            output.Should().NotContain(canary);
        }
    }

    private static string FindScript()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(static dir => Path.Combine(dir, "script")).FirstOrDefault(File.Exists);
        if (found is null || OperatingSystem.IsWindows())
        {
            const string Why = "the pseudo-terminal test needs util-linux 'script' (apt-get install bsdutils)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"CI=true and {Why}.");
            }

            Skip.If(true, $"Skipped: {Why}.");
        }

        return found!;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["EInvoiceTransmission__Vault__ActiveKeyId"] = NewKeyId;
        start.Environment[$"EInvoiceTransmission__Vault__Keys__{OldKeyId}"] = OldKey;
        start.Environment[$"EInvoiceTransmission__Vault__Keys__{NewKeyId}"] = NewKey;
        foreach (var variable in (string[])["NO_COLOR", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI", "TEAMCITY_VERSION", "JENKINS_URL", "TRAVIS", "EInvoiceTransmission__Storage__Sqlite", "EInvoiceTransmission__Storage__PostgreSql"])
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A hung run must not outlive the test.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
