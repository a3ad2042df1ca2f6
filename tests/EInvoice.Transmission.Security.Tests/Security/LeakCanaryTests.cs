using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>
/// A canary for every secret kind through every public path; then logs (messages and structured state, at Trace),
/// exceptions, ToString() and JSON of every public type, the audit trail and the raw storage are searched for it.
/// </summary>
public sealed class LeakCanaryTests
{
    [Fact]
    public async Task EveryPublicPath_InMemoryStorage_LeaksNoCanaryAnywhere()
    {
        var repository = new InMemoryCredentialRepository();

        var evidence = await LeakCanaryScenario.RunAsync(repository, () => InMemoryStorage.DumpAsync(repository));

        evidence.AssertNoCanary();
        evidence.AssertCovers(typeof(CredentialVault).Assembly);
        evidence.Exceptions.Select(e => e.GetType()).Should().Contain([
            typeof(CredentialChangeRefusedException), typeof(CredentialConcurrencyException), typeof(OAuthTokenException),
            typeof(CredentialVaultException), typeof(ArgumentException)], "the error paths ran");
        evidence.AuditEntries.Should().Contain(e => e.Outcome == AuditOutcome.Refused).And.Contain(e => e.Action == AuditAction.KeysRotated);
        evidence.Logs.SelectMany(l => l.GetSnapshot()).Select(r => r.Id.Id).Should().Contain(
            [1000, 1100, 1101, 1102, 1104, 1107, 1111, 1301, 1304, 1309],
            "key ring, token, fingerprint, failure, refresh-token fallback, 401 retry, request headers, refusal, rotation and tampered-row events were all logged");
    }

    public static TheoryData<string> Channels => ["log message", "log state", "logged exception", "exception", "ToString", "JSON", "audit", "raw storage", "base64"];

    [Theory]
    [MemberData(nameof(Channels))]
    public void AssertNoCanary_CanaryInAnyChannel_Fails(string channel)
    {
        // The search must be able to fail: plant a canary in one channel at a time.
        const string Canary = "CANARY-PLANTED-31c9";
        var evidence = new LeakEvidence([Canary]) { RawStorage = "rows" };
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        Microsoft.Extensions.Logging.ILogger logger = new Microsoft.Extensions.Logging.Testing.FakeLogger(logs);
        logger.Log(Microsoft.Extensions.Logging.LogLevel.Trace, "clean");
        evidence.Logs.Add(logs);
        switch (channel)
        {
            case "log message": logger.Log(Microsoft.Extensions.Logging.LogLevel.Information, "value " + Canary); break;
            case "log state": logger.Log(Microsoft.Extensions.Logging.LogLevel.Information, 0, new[] { new KeyValuePair<string, object?>("Token", Canary) }, null, (_, _) => "clean"); break;
            case "logged exception": logger.Log(Microsoft.Extensions.Logging.LogLevel.Error, new InvalidOperationException(Canary), "clean"); break;
            case "exception": evidence.Exceptions.Add(new InvalidOperationException("outer", new ArgumentException(Canary))); break;
            case "ToString": evidence.Add(new Planted(Canary)); break;
            case "JSON": evidence.Add(new PlantedJson { Value = Canary }); break;
            case "audit": evidence.AuditEntries.Add(AuditEntry.Chain(null, new AuditEvent { Timestamp = The.Now, Action = AuditAction.CredentialsUpdated, Actor = Canary, Outcome = AuditOutcome.Succeeded, Key = Some.Vault().CreateAuditKey() })); break;
            case "raw storage": evidence.RawStorage = "row|" + Canary; break;
            case "base64": evidence.RawStorage = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Canary)); break;
        }

        var act = evidence.AssertNoCanary;

        act.Should().Throw<Exception>().Which.Message.Should().Contain("contains");
    }

    private sealed record Planted(string Value);

    private sealed class PlantedJson
    {
        public string Value { get; init; } = string.Empty;

        public override string ToString() => "clean";
    }
}
