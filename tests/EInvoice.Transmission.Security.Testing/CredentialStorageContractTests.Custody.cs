namespace EInvoice.Transmission.Security.Testing;

public abstract partial class CredentialStorageContractTests
{
    private const string MigrationActor = "custody-migration";

    /// <summary>
    /// Issue 13's migration: every envelope from the local ring to the SoftHSM2 key and back to the ring, each leg
    /// cancelled at a random batch and run again. Only the wrap layers change; no secret is opened by the rotation.
    /// </summary>
    [SkippableFact]
    public async Task RewrapAllAsync_LocalToHsmAndBack_InterruptedAtARandomBatchAndResumed_EverySecretOpensAndNothingIsLeftUnderTheRetiredKey()
    {
        SoftHsm.Require();
        const int Count = 120;
        await SeedSealedCredentialsAsync(Count);
        using var hsm = (IDisposable)SoftHsm.Wrapper();
        var custodians = new[] { (IKeyWrapper)hsm };
        var ring = new Some.FixedKeyProvider(Some.KeyRing(The.NewKeyId, (The.KeyId, The.Key), (The.NewKeyId, The.NewKey)));
        var toHsm = CreateStore(new CredentialVault(ring, custodians, SoftHsm.KeyId), new CredentialStoreOptions { RotationBatchSize = 10 });
        var back = CreateStore(new CredentialVault(ring, custodians, null), new CredentialStoreOptions { RotationBatchSize = 10 });
        var seed = Environment.TickCount;
        var random = new Random(seed);

        var first = await RewrapInterruptedAsync(toHsm, random.Next(1, Count / 10) * 10, Count);

        first.Should().BeEquivalentTo(new { ActiveKeyId = SoftHsm.KeyId, FailedCompanyIds = Array.Empty<string>() }, $"seed {seed}");
        (await KeyIdsOfEveryEnvelopeAsync()).Should().Equal([SoftHsm.KeyId], $"every envelope is under the HSM key, the local one retired (seed {seed})");
        var hsmGateway = CreateGateway(new CredentialVault(new Some.FixedKeyProvider(Some.KeyRing(The.NewKeyId, (The.NewKeyId, The.NewKey))), custodians, null));
        for (var i = 0; i < Count; i++)
        {
            (await hsmGateway.GetCredentialsAsync(CompanyFor(i), default))!.ClientSecret!.Reveal().Should().Be(SecretFor(i), $"seed {seed}");
        }

        var second = await RewrapInterruptedAsync(back, random.Next(1, Count / 10) * 10, Count);

        second.Should().BeEquivalentTo(new { ActiveKeyId = The.NewKeyId, FailedCompanyIds = Array.Empty<string>() }, $"seed {seed}");
        (await KeyIdsOfEveryEnvelopeAsync()).Should().Equal([The.NewKeyId], $"nothing is left under the HSM key (seed {seed})");
        await AssertEveryCredentialOpensUnderTheNewKeyOnlyAsync(Count);
        var audit = await ReadWholeAuditAsync();
        audit.Where(e => e.Action == AuditAction.KeysRotated).Should().NotBeEmpty().And.OnlyContain(e => e.Actor == MigrationActor);
        (await back.VerifyAuditTrailAsync()).IsIntact.Should().BeTrue($"seed {seed}");
    }

    /// <summary>Runs the rotation, cancels it once the progress passes <paramref name="stopAfter"/>, then runs it again to the end.</summary>
    private static async Task<KeyRotationResult> RewrapInterruptedAsync(CredentialStore store, int stopAfter, int count)
    {
        using (var cancellation = new CancellationTokenSource())
        {
            var progress = new Some.SyncProgress<KeyRotationProgress>(p =>
            {
                if (p.Scanned >= stopAfter)
                {
                    cancellation.Cancel();
                }
            });
            var interrupted = () => store.RewrapAllAsync(MigrationActor, progress, cancellation.Token);
            if (stopAfter < count)
            {
                await interrupted.Should().ThrowAsync<OperationCanceledException>();
            }
        }

        return await store.RewrapAllAsync(MigrationActor);
    }

    /// <summary>The distinct key ids of every envelope in storage: secrets, tokens and destination seals.</summary>
    private async Task<List<string>> KeyIdsOfEveryEnvelopeAsync()
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        string? after = null;
        while (true)
        {
            var page = await Repository.ListAsync(after, 1000);
            foreach (var row in page)
            {
                foreach (var envelope in row.Secrets.Values.Append(row.AccessToken).Append(row.RefreshToken).Append(row.DestinationSeal))
                {
                    if (envelope is not null)
                    {
                        ids.Add(CredentialVault.GetKeyId(envelope));
                    }
                }
            }

            if (page.Count < 1000)
            {
                return [.. ids];
            }

            after = page[^1].CompanyId;
        }
    }
}
