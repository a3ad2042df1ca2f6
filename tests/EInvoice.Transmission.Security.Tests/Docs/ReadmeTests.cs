using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Tests.Docs;

/// <summary>What a new user copies from the README works as written (issue #10, items 4 and 10).</summary>
public sealed partial class ReadmeTests
{
    private const string TestCommand = "dotnet test EInvoice.Transmission.Security.sln -c Release";

    private static readonly string Readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "README.md"));
    private static readonly string CiRun = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "ci-run.sh"));

    [Fact]
    public void Exports_EveryVariableName_IsAValidShellName()
    {
        var names = ExportLine().Matches(Readme).Select(m => m.Groups["name"].Value).ToList();

        names.Should().NotBeEmpty("the README shows how to configure keys through environment variables");
        names.Should().OnlyContain(n => ShellName().IsMatch(n), "bash refuses `export a-b=...` and prints the whole line, key included, to stderr");
    }

    [Fact]
    public void TestCommand_IsExactlyWhatCiRunsWithAndWithoutTheEnvironment()
    {
        Readme.Should().Contain(TestCommand);
        CiRun.Split('\n').Select(l => l.Trim()).Should().Contain(TestCommand, "CI runs the README's command as it is")
            .And.Contain($"env -u EINVOICE_TEST_POSTGRES -u CI {TestCommand}", "and once as on a fresh clone, with no variable set");
    }

    [GeneratedRegex(@"^\s*export\s+(?<name>[^=\s]+)=", RegexOptions.Multiline)]
    private static partial Regex ExportLine();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellName();
}
