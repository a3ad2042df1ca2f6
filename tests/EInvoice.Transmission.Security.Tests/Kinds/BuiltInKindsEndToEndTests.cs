using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>Every shipped kind end to end on in-memory storage (SQLite and PostgreSQL: the Dapper tests).</summary>
public sealed class BuiltInKindsEndToEndTests
{
    [Fact]
    public async Task EveryKind_SetStatusSendRotateSendDelete_InMemory_EachRequestCarriesExactlyItsOwnCredentialsAndNoCanaryLeaks()
    {
        var repository = new InMemoryCredentialRepository();

        var evidence = await KindsEndToEndScenario.RunAsync(repository, () => InMemoryStorage.DumpAsync(repository));

        evidence.AssertNoCanary();
    }
}
