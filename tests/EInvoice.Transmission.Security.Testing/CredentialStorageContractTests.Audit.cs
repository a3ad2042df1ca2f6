namespace EInvoice.Transmission.Security.Testing;

public abstract partial class CredentialStorageContractTests
{
    private const int AuditEntries = 6;

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_Untouched_IsIntactAndNamesTheHead()
    {
        await WriteAuditEntriesAsync();

        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeTrue();
        result.EntryCount.Should().Be(AuditEntries);
        result.HeadHash.Should().Be((await AuditTrail.GetAuditHeadAsync())!.Hash);
        result.FirstBrokenSequence.Should().BeNull();
        result.Break.Should().Be(AuditBreakKind.None);
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_Empty_IsIntact()
    {
        (await Store.VerifyAuditTrailAsync()).Should().BeEquivalentTo(new { IsIntact = true, EntryCount = 0 });
    }

    [SkippableTheory]
    [InlineData(AuditTampering.ChangeActor, 1)]
    [InlineData(AuditTampering.ChangeActor, 3)]
    [InlineData(AuditTampering.ChangeActor, AuditEntries)]
    [InlineData(AuditTampering.ChangeHash, 2)]
    [InlineData(AuditTampering.ChangeHash, AuditEntries)]
    [InlineData(AuditTampering.Delete, 1)]
    [InlineData(AuditTampering.Delete, 4)]
    [InlineData(AuditTampering.Delete, AuditEntries)]
    [InlineData(AuditTampering.SwapWithNext, 1)]
    [InlineData(AuditTampering.SwapWithNext, 3)]
    [InlineData(AuditTampering.SwapWithNext, AuditEntries - 1)]
    public async Task VerifyAuditTrailAsync_EntryTamperedWith_NamesTheFirstBadEntry(AuditTampering tampering, long sequence)
    {
        await WriteAuditEntriesAsync();

        await TamperWithAuditAsync(tampering, sequence);
        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        result.FirstBrokenSequence.Should().Be(sequence);
        result.Problem.Should().NotBeNullOrEmpty();
        result.HeadHash.Should().BeNull();

        // The last entry removed (the head left as it was) is a cut tail; any other removal leaves a gap.
        result.Break.Should().Be(tampering switch
        {
            AuditTampering.Delete when sequence == AuditEntries => AuditBreakKind.Truncated,
            AuditTampering.Delete => AuditBreakKind.Missing,
            _ => AuditBreakKind.Changed,
        });
    }

    /// <summary>Six entries: created, three updates, one refused change, one deletion.</summary>
    private async Task WriteAuditEntriesAsync()
    {
        await Store.SetAsync(The.CompanyId, The.AspCredentials, The.AdminWithMfa);
        for (var i = 0; i < 3; i++)
        {
            await Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.Identifier, $"id-{i}"), The.AdminWithMfa);
        }

        await FluentActions.Awaiting(() => Store.SetAsync(The.CompanyId, new CredentialUpdate {  }.WithSetting(ApiKeyKind.Identifier, "x"), new CredentialChangeContext("intruder", null)))
            .Should().ThrowAsync<CredentialChangeRefusedException>();
        await Store.DeleteAsync(The.CompanyId, The.AdminWithMfa);
        (await ReadWholeAuditAsync()).Should().HaveCount(AuditEntries);
    }
}
