namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary><c>key new</c> and the command line itself: no database.</summary>
public sealed class KeyNewTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("eits-key-").FullName;
    private readonly Eits _tool = new(new Dictionary<string, string?>());

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task KeyNew_ToAFile_WritesA32ByteKeyReadableByItsOwnerOnlyAndPrintsNothingSecret()
    {
        var file = Path.Combine(_folder, "kek.key");

        var run = await _tool.RunAsync("key", "new", "--id", "kek_2027_01", "--out", file);

        run.ExitCode.Should().Be(ExitCodes.Success, run.ToString());
        var key = File.ReadAllText(file).TrimEnd('\n');
        Convert.FromBase64String(key).Should().HaveCount(32);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        run.Out.Should().Contain("kek_2027_01").And.Contain("EInvoiceTransmission__Vault__Keys__kek_2027_01");
        run.Error.Should().BeEmpty();
        var json = await _tool.RunAsync("key", "new", "--id", "kek_2027_02", "--out", Path.Combine(_folder, "second.key"), "--json");
        json.Json.GetProperty("keyId").GetString().Should().Be("kek_2027_02");
        json.Json.TryGetProperty("key", out _).Should().BeFalse();
        _tool.ShouldNotHaveWritten([key, File.ReadAllText(Path.Combine(_folder, "second.key")).TrimEnd('\n')]);
    }

    [Fact]
    public async Task KeyNew_ToAnExistingFile_RefusesAndLeavesItAsItWas()
    {
        var file = Path.Combine(_folder, "kek.key");
        await File.WriteAllTextAsync(file, "the only copy of an old key\n");

        var run = await _tool.RunAsync("key", "new", "--out", file);

        run.ExitCode.Should().Be(ExitCodes.Usage);
        run.Error.Should().Contain("never overwritten");
        (await File.ReadAllTextAsync(file)).Should().Be("the only copy of an old key\n");
    }

    [Fact]
    public async Task KeyNew_ToTheTerminal_PrintsTheKeyAndWarnsOnce()
    {
        var run = await _tool.RunAsync("key", "new");

        run.ExitCode.Should().Be(ExitCodes.Success);
        run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle().Which.Should().StartWith("warning:");
        var json = await _tool.RunAsync("key", "new", "--json");
        Convert.FromBase64String(json.Json.GetProperty("key").GetString()!).Should().HaveCount(32);
        json.Json.GetProperty("keyId").GetString().Should().MatchRegex("^kek_[0-9]{4}_[0-9]{2}$");
        json.Json.GetProperty("environmentVariable").GetString().Should().StartWith("EInvoiceTransmission__Vault__Keys__kek_");
    }

    [Theory]
    [InlineData("bad id")]
    [InlineData("")]
    public async Task KeyNew_InvalidId_IsAUsageError(string id)
    {
        var run = await _tool.RunAsync("key", "new", "--id", id);

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        run.Out.Should().BeEmpty("no key is shown for an id the ring would refuse");
    }

    [Fact]
    public async Task KeyNew_IdAShellCannotName_WarnsThatNoVariableCanSetIt()
    {
        var run = await _tool.RunAsync("key", "new", "--id", "kek-2027.01", "--out", Path.Combine(_folder, "k"));

        run.ExitCode.Should().Be(ExitCodes.Success);
        run.Error.Should().Contain("cannot be set through an environment variable");
    }

    [Fact]
    public async Task CommandLine_HelpAndMistakes_ExitZeroAndTwo()
    {
        var help = await _tool.RunAsync("--help");
        help.ExitCode.Should().Be(ExitCodes.Success);
        help.Out.Should().Contain("key").And.Contain("rewrap").And.Contain("audit").And.Contain("status").And.Contain("list")
            .And.Contain("test").And.Contain("migrate");

        (await _tool.RunAsync("bogus")).ExitCode.Should().Be(ExitCodes.Usage);
        (await _tool.RunAsync("rewrap", "--batch", "many")).ExitCode.Should().Be(ExitCodes.Usage);
        (await _tool.RunAsync()).ExitCode.Should().Be(ExitCodes.Usage);
        var noStorage = await _tool.RunAsync("status");
        noStorage.ExitCode.Should().Be(ExitCodes.Usage);
        noStorage.Error.Should().Contain("--sqlite").And.Contain("--postgres");
        (await _tool.RunAsync("status", "--sqlite", Path.Combine(_folder, "missing.db"))).ExitCode.Should().Be(ExitCodes.Usage);
        File.Exists(Path.Combine(_folder, "missing.db")).Should().BeFalse("a mistyped path must not become an empty database");
    }
}
