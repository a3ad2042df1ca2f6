using System.Text.Json;

namespace EInvoice.Transmission.Security.Sample.Tests;

/// <summary>Runs the sample end to end, in process; one test at a time, as the sample counts the process's token metrics.</summary>
public sealed class SampleRunTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"eits-sample-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var exitCode = await SampleRun.RunAsync([.. args, "--data-directory", _dataDirectory], output);
        return (exitCode, output.ToString());
    }

    [Fact]
    public async Task RunAsync_NoSetup_RunsEveryStepAndPrintsNoSecret()
    {
        var (exitCode, output) = await RunAsync();

        exitCode.Should().Be(0, output);
        for (var step = 1; step <= 8; step++)
        {
            output.Should().Contain($"[{step}/8]");
        }

        output.Should().Contain("DEVELOPMENT KEY").And.Contain("For development only");
        output.Should().Contain("\"secretNames\": [").And.Contain("\"client_secret\"").And.Contain("\"kind\": \"oauth_client_credentials\"").And.Contain("\"environment\": \"Sandbox\"");
        output.Should().Contain("token requests for 5 transmissions: 1");
        output.Should().Contain("background refreshes: 1");
        output.Should().Contain("credentials work");
        output.Should().Contain("\"secretExpiries\": {").And.Contain("expiry: client_secret expires");
        output.Should().Contain("staged: staged.client_secret").And.Contain("promoted: False (").And.Contain("promoted: True (connection test passed: True)");
        output.Should().NotContain("a-mistyped-secret", "a staged secret is never printed, not even a wrong one");
        output.Should().MatchRegex(@"1 of 1 credentials moved, 0 failed");
        output.Should().Contain("intact:").And.Contain("Done: every step succeeded.");

        var keys = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "development-keys.json"))).RootElement.GetProperty("Keys");
        foreach (var key in keys.EnumerateObject())
        {
            output.Should().NotContain(key.Value.GetString()!, "a key-encryption key is never printed");
        }

        output.Should().NotContain("access_token").And.NotContain("Bearer ");
    }

    [Fact]
    public async Task RunAsync_Twice_ReusesTheDataAndStillSucceeds()
    {
        (await RunAsync()).ExitCode.Should().Be(0);

        var (exitCode, output) = await RunAsync("--transmissions", "2");

        exitCode.Should().Be(0, output);
        output.Should().Contain("DEVELOPMENT KEY (reused");
        output.Should().Contain("token requests for 2 transmissions: 1");
    }

    [Fact]
    public async Task RunAsync_AgainstAnIndependentServer_ExitsZeroWithOneTokenRequestAndNoSecretPrinted()
    {
        const string Secret = "CANARY-external-secret-3c7e91";
        await using var server = await IndependentOAuthServer.StartAsync("external-erp", Secret);

        var (exitCode, output) = await RunAsync(
            "--token-endpoint", server.TokenEndpoint.AbsoluteUri,
            "--api-endpoint", server.ApiEndpoint.AbsoluteUri,
            "--client-id", "external-erp",
            "--client-secret", Secret,
            "--scope", "submissions:write",
            "--transmissions", "3");

        exitCode.Should().Be(0, output);
        output.Should().Contain("platform: external");
        output.Should().NotContain(Secret);
        server.Scopes.Should().OnlyContain(s => s == "submissions:write");
        server.ApiAuthorizations.Should().HaveCount(4).And.OnlyContain(a => a!.StartsWith("Bearer ext.", StringComparison.Ordinal));
        server.TokenRequests.Should().Be(2, "one token for every transmission, one for the connection test");
    }

    [Fact]
    public async Task RunAsync_PlainHttpToAHostThatIsNotLoopback_IsRefused()
    {
        var (exitCode, output) = await RunAsync(
            "--token-endpoint", "http://auth.example.com/token",
            "--api-endpoint", "https://api.example.com/invoices",
            "--client-id", "x",
            "--client-secret", "y");

        exitCode.Should().Be(2);
        output.Should().Contain("must use https");
        output.Should().NotContain("Done");
    }

    [Theory]
    [InlineData("--transmissions", "zero")]
    [InlineData("--api-method", "DELETE")]
    [InlineData("--token-endpoint", "not-a-url")]
    [InlineData("--client-id", "only-this")]
    public async Task RunAsync_BadOptions_PrintsUsageAndExitsTwo(string name, string value)
    {
        var (exitCode, output) = await RunAsync(name, value);

        exitCode.Should().Be(2);
        output.Should().Contain("Options");
    }
}
