using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>Storage faults on the in-memory repository, whose writes are atomic: before a write, or after it.</summary>
public sealed class InMemoryFaultInjectionTests : FaultInjectionContractTests
{
    protected override IReadOnlyList<Fault> SupportedFaults => [Fault.BeforeWrite, Fault.AfterCommit];

    protected override Task<(ICredentialRepository Repository, IAsyncDisposable Lifetime)> CreateStorageAsync(FaultPlan plan)
        => Task.FromResult<(ICredentialRepository, IAsyncDisposable)>((new FaultyInMemoryRepository(plan), new Nothing()));

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
