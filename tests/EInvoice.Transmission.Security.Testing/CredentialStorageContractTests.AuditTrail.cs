namespace EInvoice.Transmission.Security.Testing;

/// <summary>The <see cref="IAuditTrailRepository"/> part of the contract: the chain, its head and concurrent appends.</summary>
public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task AppendAuditAsync_SeveralEntries_FormsAChainEndingAtTheHead()
    {
        (await AuditTrail.GetAuditHeadAsync()).Should().BeNull();

        var appended = new List<AuditEntry>();
        for (var i = 0; i < 5; i++)
        {
            appended.Add(await AuditTrail.AppendAuditAsync(Event(actor: $"actor-{i}")));
        }

        var stored = await ReadWholeAuditAsync();
        stored.Should().BeEquivalentTo(appended, o => o.WithStrictOrdering());
        stored.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4, 5);
        stored[0].PreviousHash.Should().Be(new string('0', 64));
        for (var i = 1; i < stored.Count; i++)
        {
            stored[i].PreviousHash.Should().Be(stored[i - 1].Hash);
        }

        (await AuditTrail.GetAuditHeadAsync()).Should().Be(new AuditHead(5, stored[^1].Hash));
        (await AuditTrail.ReadAuditAsync(3, 10)).Select(e => e.Sequence).Should().Equal(4, 5);
    }

    [SkippableFact]
    public async Task AppendAuditAsync_ConcurrentAppends_ChainStaysIntact()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => AuditTrail.AppendAuditAsync(Event(actor: $"actor-{i}")))));

        (await ReadWholeAuditAsync()).Should().HaveCount(40);
        (await Store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue();
    }
}
