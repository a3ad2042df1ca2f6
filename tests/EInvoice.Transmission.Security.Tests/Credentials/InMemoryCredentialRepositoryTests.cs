using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Credentials;

/// <summary>The storage contract, run against the in-memory repository.</summary>
public sealed class InMemoryCredentialRepositoryTests : CredentialStorageContractTests
{
    private readonly InMemoryCredentialRepository _repository = new();

    protected override Task<ICredentialRepository> CreateRepositoryAsync() => Task.FromResult<ICredentialRepository>(_repository);

    protected override Task<string> ReadRawStorageAsync() => InMemoryStorage.DumpAsync(_repository);

    protected override Task ReplaceAuditTrailAsync(IReadOnlyList<AuditEntry> entries)
    {
        _repository.ReplaceAuditTrail(entries);
        return Task.CompletedTask;
    }

    protected override Task TamperWithAuditAsync(AuditTampering tampering, long sequence)
    {
        _repository.TamperWithAudit(entries =>
        {
            var index = entries.FindIndex(e => e.Sequence == sequence);
            switch (tampering)
            {
                case AuditTampering.ChangeActor:
                    entries[index] = entries[index] with { Actor = "mallory" };
                    break;
                case AuditTampering.ChangeHash:
                    entries[index] = entries[index] with { Hash = new string('f', 64) };
                    break;
                case AuditTampering.Delete:
                    entries.RemoveAt(index);
                    break;
                case AuditTampering.SwapWithNext:
                    (entries[index], entries[index + 1]) = (entries[index + 1] with { Sequence = sequence }, entries[index] with { Sequence = sequence + 1 });
                    break;
            }
        });
        return Task.CompletedTask;
    }
}
