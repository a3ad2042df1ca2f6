using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// A PostgreSQL cluster of the test run's own, started with the installed server binaries (initdb, pg_ctl) on a free
/// 127.0.0.1 port when <see cref="PostgresDatabase.Variable"/> names no server. It runs as the <c>postgres</c> user
/// (through runuser) when the tests run as root, since PostgreSQL refuses to run as root. It is stopped and deleted when
/// the test process exits; a watchdog shell does the same if the process is killed instead.
/// </summary>
internal static class ThrowawayPostgresServer
{
    private const string ServiceUser = "postgres";

    /// <summary>Starts a cluster and returns its connection string, or the reason none could be started (no binaries).</summary>
    /// <exception cref="InvalidOperationException">The binaries are installed but the cluster did not start.</exception>
    public static async Task<(string? ConnectionString, string? Unavailable)> TryStartAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            return (null, "no throwaway PostgreSQL is started on Windows");
        }

        var bin = FindBinDirectory();
        if (bin is null)
        {
            return (null, "no PostgreSQL server binaries (initdb and pg_ctl) were found in /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin or PATH");
        }

        string[] runAs = [];
        if (Environment.IsPrivilegedProcess)
        {
            if (FindOnPath("runuser") is not { } runuser)
            {
                return (null, $"the tests run as root, and PostgreSQL refuses root, but runuser is not installed to run it as '{ServiceUser}'");
            }

            runAs = [runuser, "-u", ServiceUser, "--"];
        }

        var directory = Directory.CreateTempSubdirectory("eits-pg-").FullName;
        var data = Path.Combine(directory, "data");
        var log = Path.Combine(directory, "server.log");
        try
        {
            if (runAs.Length > 0)
            {
                await RunAsync("chown", [ServiceUser, directory]);
            }

            await RunAsync(runAs, Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);

            // A stock server (max_connections and all), only made faster: durability buys nothing for throwaway data.
            var port = 0;
            for (var attempt = 1; ; attempt++)
            {
                port = FreeLoopbackPort();
                try
                {
                    await RunAsync(runAs, Path.Combine(bin, "pg_ctl"), [
                        "-D", data, "-l", log, "-w", "-t", "60",
                        "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                        "start"]);
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                    // Another process may have taken the port between our probe and the server's bind: try another.
                }
            }

            var stop = StopCommand(runAs, bin, data, directory);
            StartWatchdog(stop);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => RunStopQuietly(stop);
            return ($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres", null);
        }
        catch (Exception ex)
        {
            var serverLog = File.Exists(log) ? File.ReadAllText(log) : string.Empty;
            RunStopQuietly(StopCommand(runAs, bin, data, directory));
            throw new InvalidOperationException(
                $"The PostgreSQL binaries in {bin} are installed but a throwaway cluster did not start: {ex.Message}{Environment.NewLine}{serverLog}", ex);
        }
    }

    private static string? FindBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        foreach (var candidate in candidates.Append("/usr/local/pgsql/bin"))
        {
            if (Installed(Path.Combine(candidate, "initdb")) && Installed(Path.Combine(candidate, "pg_ctl")))
            {
                return candidate;
            }
        }

        return FindOnPath("initdb") is { } initdb && Path.GetDirectoryName(initdb) is { } folder && Installed(Path.Combine(folder, "pg_ctl"))
            ? folder
            : null;
    }

    private static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(Installed);

    /// <summary>Whether the file exists, following links: a link left behind by an uninstalled package does not count.</summary>
    private static bool Installed(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && (file.LinkTarget is null || file.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true });
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A shell command that stops the cluster at once and deletes it; harmless when run twice.</summary>
    private static string StopCommand(string[] runAs, string bin, string data, string directory)
        => $"if [ -d {Quote(data)} ]; then {string.Join(' ', runAs.Select(Quote))} {Quote(Path.Combine(bin, "pg_ctl"))} -D {Quote(data)} -m immediate -w stop; fi; rm -rf {Quote(directory)}";

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void RunStopQuietly(string stop)
    {
        try
        {
            using var process = Process.Start(Shell(stop))!;
            process.WaitForExit(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Best effort at exit; the watchdog tries again.
        }
    }

    /// <summary>Waits, detached, for this process to end, then stops the cluster: covers a test host that is killed.</summary>
    private static void StartWatchdog(string stop)
    {
        var script = $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop}";
        var start = FindOnPath("setsid") is { } setsid
            ? new ProcessStartInfo(setsid) { ArgumentList = { "/bin/sh", "-c", script } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script } };
        start.UseShellExecute = false;

        // Pipes of its own, so the watchdog never holds the test host's output open after the run.
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var _ = Process.Start(start);
    }

    private static ProcessStartInfo Shell(string command)
        => new("/bin/sh") { ArgumentList = { "-c", command }, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };

    private static Task RunAsync(string file, string[] arguments) => RunAsync([], file, arguments);

    private static async Task RunAsync(string[] runAs, string file, string[] arguments)
    {
        var command = runAs.Length > 0 ? runAs[0] : file;
        var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in runAs.Skip(1).Concat(runAs.Length > 0 ? [file] : []).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
