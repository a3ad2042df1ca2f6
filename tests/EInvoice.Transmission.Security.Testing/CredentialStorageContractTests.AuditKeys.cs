namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// The audit trail against someone who can write the tables but holds no key-encryption key (issue #10, item 5):
/// every forgery that recomputes the public parts of the chain fails; truncation shows against a checkpoint.
/// </summary>
public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task VerifyAuditTrailAsync_EntryChangedAndEveryHashAfterItRecomputed_IsBrokenAtThatEntry()
    {
        await WriteAuditEntriesAsync();
        var entries = await ReadWholeAuditAsync();

        // The attacker edits entry 3, recomputes every hash from there (the algorithm is public) and moves the head;
        // only the MACs cannot be recomputed without the key.
        var forged = Relink(entries, 3, e => e with { Actor = "mallory" }, keepMacs: true);
        await ReplaceAuditTrailAsync(forged);

        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        result.FirstBrokenSequence.Should().Be(3);
        result.Problem.Should().Contain("authentication code");
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_WholeTrailRewrittenAsUnkeyedEntries_IsBroken()
    {
        await WriteAuditEntriesAsync();
        var entries = await ReadWholeAuditAsync();

        // Downgrade: strip key ids and MACs so that every entry looks like one written before audit keys existed.
        var forged = Relink(entries, 1, e => e with { Actor = "mallory", KeyId = null, Mac = null }, keepMacs: false, allFrom: true);
        await ReplaceAuditTrailAsync(forged);

        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse("an unkeyed trail with no keyed entry vouching for it proves nothing");
        result.FirstBrokenSequence.Should().Be(1);
        result.UnkeyedEntryCount.Should().Be(AuditEntries);
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_EntryAppendedUnderAnUnknownKeyId_IsBrokenAtThatEntry()
    {
        await WriteAuditEntriesAsync();
        await AppendForgedEntryAsync();

        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        result.FirstBrokenSequence.Should().Be(AuditEntries + 1);
        result.Problem.Should().Contain("retired-key").And.Contain("not in the key ring");
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_ForgedEntryThenAGenuineChange_StaysBroken()
    {
        await WriteAuditEntriesAsync();
        await AppendForgedEntryAsync();

        // A routine change chains onto the forged entry; an ordinary entry vouches for nothing before it.
        await Store.SetAsync(The.OtherCompanyId, The.AspCredentials, The.AdminWithMfa);
        var result = await Store.VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse("a genuine entry after a forged one must not launder it");
        result.FirstBrokenSequence.Should().Be(AuditEntries + 1);
    }

    [SkippableFact]
    public async Task RewrapAllAsync_TrailHoldsAForgedEntry_DoesNotVouchForIt()
    {
        await WriteAuditEntriesAsync();
        await AppendForgedEntryAsync();

        await CreateStore(Some.RotatedVault()).RewrapAllAsync();
        var result = await CreateStore(Some.NewKeyOnlyVault()).VerifyAuditTrailAsync();

        result.IsIntact.Should().BeFalse();
        (await ReadWholeAuditAsync()).Last().Action.Should().Be(AuditAction.KeysRotated, "the rotation is still audited");
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1306, "the break was found before vouching");
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_UnkeyedEntriesOf01_BrokenUntilARotationVouchesForThem()
    {
        // A trail written by 0.1: plain SHA-256 chain, no key ids, no MACs.
        await WriteAuditEntriesAsync();
        var legacy = Relink(await ReadWholeAuditAsync(), 1, e => e with { KeyId = null, Mac = null }, keepMacs: false, allFrom: true);
        await ReplaceAuditTrailAsync(legacy);
        await Store.SetAsync(The.OtherCompanyId, The.AspCredentials, The.AdminWithMfa);
        (await Store.VerifyAuditTrailAsync()).Should().BeEquivalentTo(new { IsIntact = false, FirstBrokenSequence = 1L, UnkeyedEntryCount = (long)AuditEntries });

        await Store.RewrapAllAsync();

        var result = await Store.VerifyAuditTrailAsync();
        result.IsIntact.Should().BeTrue(result.Problem);
        result.UnkeyedEntryCount.Should().Be(AuditEntries);
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_TailCutAndHeadMovedBack_IsTruncatedAgainstTheCheckpointOnly()
    {
        await WriteAuditEntriesAsync();
        var checkpoint = await Store.VerifyAuditTrailAsync();
        checkpoint.IsIntact.Should().BeTrue();
        var entries = await ReadWholeAuditAsync();

        await ReplaceAuditTrailAsync(entries.Take(AuditEntries - 2).ToList());

        (await Store.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue("without a checkpoint kept elsewhere, a consistent shorter trail cannot be told apart (docs/security.md)");
        var byCount = await Store.VerifyAuditTrailAsync(new AuditCheckpoint(checkpoint.EntryCount));
        byCount.Should().BeEquivalentTo(new { IsIntact = false, IsTruncated = true, Break = AuditBreakKind.Truncated, FirstBrokenSequence = AuditEntries - 1L });
        var byHead = await Store.VerifyAuditTrailAsync(new AuditCheckpoint(checkpoint.EntryCount, checkpoint.HeadHash));
        byHead.IsTruncated.Should().BeTrue();
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_CheckpointHeadDoesNotMatch_IsBrokenAtTheCheckpoint()
    {
        await WriteAuditEntriesAsync();
        var result = await Store.VerifyAuditTrailAsync(new AuditCheckpoint(4, new string('e', 64)));

        result.Should().BeEquivalentTo(new { IsIntact = false, Break = AuditBreakKind.Changed, FirstBrokenSequence = 4L });
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_AfterRotationOldKeyRemovedFromTheRing_StaysIntact()
    {
        await WriteAuditEntriesAsync();
        await CreateStore(Some.RotatedVault()).RewrapAllAsync(actor: "ops@erp.example");

        // Entries under the retired key are vouched for by the rotation entry under the new key, which covers their hashes.
        var result = await CreateStore(Some.NewKeyOnlyVault()).VerifyAuditTrailAsync();

        result.IsIntact.Should().BeTrue(result.Problem);
        (await ReadWholeAuditAsync()).Last().Should().BeEquivalentTo(new { Action = AuditAction.KeysRotated, Actor = "ops@erp.example", KeyId = The.NewKeyId });
    }

    [SkippableFact]
    public async Task VerifyAuditTrailAsync_KeyOfTheEntriesUnknown_IsBroken()
    {
        await WriteAuditEntriesAsync();

        var result = await CreateStore(Some.Vault(The.OtherKeyId, (The.OtherKeyId, The.OtherKey))).VerifyAuditTrailAsync();

        result.Should().BeEquivalentTo(new { IsIntact = false, FirstBrokenSequence = 1L });
        result.Problem.Should().Contain(The.KeyId);
    }

    [SkippableFact]
    public async Task AuditEntry_WrittenByTheStore_IsKeyedAndItsMacIsNotTheHash()
    {
        await WriteAuditEntriesAsync();

        foreach (var entry in await ReadWholeAuditAsync())
        {
            entry.KeyId.Should().Be(The.KeyId);
            entry.Mac.Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(entry.Hash);
        }
    }

    /// <summary>Appends an entry under a key id that is not in the ring, with a made-up MAC, and moves the head to it.</summary>
    private async Task AppendForgedEntryAsync()
    {
        var entries = await ReadWholeAuditAsync();
        var last = entries[^1];
        var forged = last with { Sequence = last.Sequence + 1, PreviousHash = last.Hash, Actor = "mallory", KeyId = "retired-key", Mac = new string('a', 64) };
        forged = forged with { Hash = Internal.AuditChain.ComputeHash(forged) };
        await ReplaceAuditTrailAsync([.. entries, forged]);
    }

    /// <summary>
    /// Changes entry <paramref name="from"/> (or every entry from there, <paramref name="allFrom"/>) and recomputes the
    /// hash chain after it, as an attacker who knows the public algorithm can; MACs are kept or dropped.
    /// </summary>
    private static List<AuditEntry> Relink(List<AuditEntry> entries, long from, Func<AuditEntry, AuditEntry> change, bool keepMacs, bool allFrom = false)
    {
        var result = new List<AuditEntry>();
        var previous = Internal.AuditChain.GenesisHash;
        foreach (var original in entries)
        {
            var entry = original.Sequence < from ? original
                : (original.Sequence == from || allFrom ? change(original) : original) with { PreviousHash = previous };
            if (original.Sequence >= from)
            {
                entry = entry with { Hash = Internal.AuditChain.ComputeHash(entry), Mac = keepMacs ? entry.Mac : null };
            }

            result.Add(entry);
            previous = entry.Hash;
        }

        return result;
    }
}
