using System.Text;

namespace EInvoice.Transmission.Security.Testing;

public abstract partial class CredentialStorageContractTests
{
    /// <summary>How many credentials the rotation test moves; storage with slow writes may lower it, never below 10,000 in CI.</summary>
    protected virtual int RotationCredentialCount => 10_000;

    [SkippableFact]
    public async Task RewrapAllAsync_AfterNewActiveKey_MovesEveryEnvelopeAndKeepsEveryValue()
    {
        await SeedSealedCredentialsAsync(30);
        var rotatedStore = CreateStore(Some.RotatedVault(), new CredentialStoreOptions { RotationBatchSize = 7 });
        var reports = new List<KeyRotationProgress>();

        var result = await rotatedStore.RewrapAllAsync(progress: new Some.SyncProgress<KeyRotationProgress>(reports.Add));

        result.Should().BeEquivalentTo(new { ActiveKeyId = The.NewKeyId, Scanned = 30, Rewrapped = 30 });
        result.FailedCompanyIds.Should().BeEmpty();
        reports.Should().HaveCount(5).And.EndWith(new KeyRotationProgress(30, 30));
        await AssertEveryCredentialOpensUnderTheNewKeyOnlyAsync(30);

        var again = await rotatedStore.RewrapAllAsync();
        again.Rewrapped.Should().Be(0, "credentials already under the active key are skipped");
        (await ReadWholeAuditAsync()).Should().HaveCount(2).And.OnlyContain(e => e.Action == AuditAction.KeysRotated);
    }

    [SkippableFact]
    public async Task RewrapAllAsync_CancelledAtRandomPointsAndRunAgain_EndsWithEveryCredentialOpening()
    {
        var count = RotationCredentialCount;
        await SeedSealedCredentialsAsync(count);
        var rotatedStore = CreateStore(Some.RotatedVault(), new CredentialStoreOptions { RotationBatchSize = 250 });
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var cancellations = 0;

        for (var run = 0; ; run++)
        {
            using var cancellation = new CancellationTokenSource();
            if (run < 6)
            {
                // Half the runs stop at a batch boundary, half at an arbitrary moment in the middle of one.
                if (run % 2 == 0)
                {
                    var stopAfter = random.Next(1, count);
                    var progress = new Some.SyncProgress<KeyRotationProgress>(p =>
                    {
                        if (p.Scanned >= stopAfter)
                        {
                            cancellation.Cancel();
                        }
                    });
                    if (await RunAsync(progress, cancellation.Token))
                    {
                        break;
                    }
                }
                else
                {
                    cancellation.CancelAfter(TimeSpan.FromMilliseconds(random.Next(1, 400)));
                    if (await RunAsync(null, cancellation.Token))
                    {
                        break;
                    }
                }

                continue;
            }

            (await RunAsync(null, CancellationToken.None)).Should().BeTrue();
            break;
        }

        await AssertEveryCredentialOpensUnderTheNewKeyOnlyAsync(count);
        // Verified with the ring after rotation: the last entries are authenticated under the new key.
        (await CreateStore(Some.NewKeyOnlyVault()).VerifyAuditTrailAsync()).IsIntact.Should().BeTrue($"seed {seed}, {cancellations} cancellations");

        async Task<bool> RunAsync(IProgress<KeyRotationProgress>? progress, CancellationToken cancellationToken)
        {
            try
            {
                await rotatedStore.RewrapAllAsync(progress: progress, cancellationToken: cancellationToken);
                return true;
            }
            catch (OperationCanceledException)
            {
                cancellations++;
                return false;
            }
        }
    }

    [SkippableFact]
    public async Task RewrapAllAsync_EnvelopeUnderAKeyNoLongerInTheRing_ReportsTheCompanyAndMovesTheRest()
    {
        await SeedSealedCredentialsAsync(3);
        var foreign = Some.Vault(The.OtherKeyId, (The.OtherKeyId, The.OtherKey)).Seal("x"u8, "company-00001", The.ClientSecretField);
        var row = await Repository.GetAsync("company-00001");
        await Repository.UpdateAsync(row!.WithSecretEnvelope("client_secret", foreign) with { RowVersion = row!.RowVersion + 1 }, row!.RowVersion, null);

        var result = await CreateStore(Some.RotatedVault()).RewrapAllAsync();

        result.FailedCompanyIds.Should().Equal("company-00001");
        result.Rewrapped.Should().Be(2);
        Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 1305);
    }

    [SkippableFact]
    public async Task RewrapAllAsync_RowChangesBetweenThePageReadAndItsWrite_IsMovedOnItsOwnWithTheChangeKept()
    {
        // A token refresh lands on one company of the batch after the rotation read the page: the batch write skips that
        // row (it moved on), and the rotation reads it again and moves it with the new token, instead of writing the
        // stale row over the refresh or leaving it under the old key.
        await SeedSealedCredentialsAsync(20);
        var refreshed = Some.Vault().Seal("token-refreshed-meanwhile"u8, "company-00007", "token.access");
        var racing = new RefreshBeforeFirstBatch(Repository, Leases, "company-00007", refreshed);
        var result = await Some.Store(racing, Clock, Some.RotatedVault(), Mfa, new CredentialStoreOptions { RotationBatchSize = 10 }).RewrapAllAsync();

        racing.Refreshed.Should().BeTrue();
        result.Rewrapped.Should().Be(20);
        result.FailedCompanyIds.Should().BeEmpty();
        var credentials = await CreateGateway(Some.NewKeyOnlyVault()).GetCredentialsAsync("company-00007", default);
        credentials!.AccessToken!.Reveal().Should().Be("token-refreshed-meanwhile", "the refresh that raced the rotation is kept, under the new key");
        credentials.ClientSecret!.Reveal().Should().Be(SecretFor(7));
    }

    /// <summary>Stores credentials sealed under the original key (destination included), straight through the repository, so seeding stays fast.</summary>
    private async Task SeedSealedCredentialsAsync(int count)
    {
        var vault = Some.Vault();
        for (var i = 0; i < count; i++)
        {
            var id = CompanyFor(i);
            var row = Row(id, clientSecret: vault.Seal(Encoding.UTF8.GetBytes(SecretFor(i)), id, The.ClientSecretField))
                .WithSecretEnvelope("api_key", i % 3 == 0 ? vault.Seal(Encoding.UTF8.GetBytes("key-" + SecretFor(i)), id, The.ApiKeyField) : null) with
            {
                AccessToken = i % 5 == 0 ? vault.Seal(Encoding.UTF8.GetBytes("token-" + SecretFor(i)), id, "token.access") : null,
            };
            row = row with { DestinationSeal = vault.Seal(Internal.CredentialDestination.Encode(row), id, Internal.SecretFields.Destination) };
            (await Repository.InsertAsync(row, null)).Should().BeTrue();
        }
    }

    private async Task AssertEveryCredentialOpensUnderTheNewKeyOnlyAsync(int count)
    {
        var gateway = CreateGateway(Some.NewKeyOnlyVault());
        var opened = 0;
        string? after = null;
        while (true)
        {
            var page = await Repository.ListAsync(after, 1000);
            foreach (var row in page)
            {
                var i = int.Parse(row.CompanyId["company-".Length..], System.Globalization.CultureInfo.InvariantCulture);
                var credentials = await gateway.GetCredentialsAsync(row.CompanyId, default);
                credentials!.ClientSecret!.Reveal().Should().Be(SecretFor(i));
                if (i % 3 == 0)
                {
                    // Not a secret the kind uses, so the token path leaves it sealed: opened here to prove it was rewrapped too.
                    Encoding.UTF8.GetString(Some.NewKeyOnlyVault().Open(row.Secrets["api_key"], row.CompanyId, The.ApiKeyField)).Should().Be("key-" + SecretFor(i));
                }

                if (i % 5 == 0)
                {
                    credentials!.AccessToken!.Reveal().Should().Be("token-" + SecretFor(i));
                }

                opened++;
            }

            if (page.Count < 1000)
            {
                break;
            }

            after = page[^1].CompanyId;
        }

        opened.Should().Be(count);
    }

    private static string CompanyFor(int i) => $"company-{i:D5}";

    private static string SecretFor(int i) => $"secret-{i}-{i * 7919 % 10007}";

    /// <summary>Stores a new access token for one company right before the first batch write, as a token refresh racing the rotation would.</summary>
    private sealed class RefreshBeforeFirstBatch(ICredentialRepository inner, ITokenLeaseRepository leases, string companyId, byte[] token) : DelegatingCredentialRepository(inner)
    {
        public bool Refreshed { get; private set; }

        public override async Task<IReadOnlyCollection<string>> UpdateManyAsync(IReadOnlyList<CredentialRowUpdate> updates, CancellationToken cancellationToken = default)
        {
            if (!Refreshed && updates.Any(u => u.Credential.CompanyId == companyId))
            {
                var row = await GetAsync(companyId, cancellationToken);
                Refreshed = await leases.SaveTokensAsync(
                    companyId, row!.Version, new TokenUpdate { AccessToken = token, AccessTokenExpiresAt = The.Now.AddHours(1), AccessTokenRefreshAt = The.Now.AddMinutes(55) }, null, cancellationToken);
            }

            return await base.UpdateManyAsync(updates, cancellationToken);
        }
    }
}
