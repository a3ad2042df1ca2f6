namespace EInvoice.Transmission.Security.Testing;

/// <summary>The <see cref="ITokenLeaseRepository"/> part of the contract: one holder at a time, expiry, no row change; the row with the lease; tokens saved with the release.</summary>
public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task TryAcquireLeaseAsync_TwoOwners_OneHoldsItUntilReleaseOrExpiry()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);
        var now = The.Now;

        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now, now.AddSeconds(30))).Should().NotBeNull();
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now, now.AddSeconds(30))).Should().BeNull();
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now, now.AddSeconds(30))).Should().NotBeNull("the holder may renew");

        await Leases.ReleaseLeaseAsync(The.CompanyId, "b");
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now, now.AddSeconds(30))).Should().BeNull("only the holder releases");

        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now.AddSeconds(31), now.AddSeconds(60))).Should().NotBeNull("an expired lease is free");

        await Leases.ReleaseLeaseAsync(The.CompanyId, "b");
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now.AddSeconds(32), now.AddSeconds(60))).Should().NotBeNull();
    }

    [SkippableFact]
    public async Task TryAcquireLeaseAsync_UnknownCompany_ReturnsNull()
    {
        (await Leases.TryAcquireLeaseAsync("nobody", "a", The.Now, The.Now.AddSeconds(30))).Should().BeNull();
    }

    [SkippableFact]
    public async Task TryAcquireLeaseAsync_LeaseHeld_DoesNotChangeTheRowVersion()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);

        await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));

        (await Repository.UpdateAsync(Row(The.CompanyId, version: 2), 1, null)).Should().BeTrue("a lease is not a change of the credentials");
    }

    [SkippableFact]
    public async Task TryAcquireLeaseAsync_Taken_ReturnsTheRowAsStoredAtThatMoment()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);
        var stored = await Repository.GetAsync(The.CompanyId);

        var leased = await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));

        leased.Should().BeEquivalentTo(stored);
    }

    [SkippableFact]
    public async Task SaveTokensAsync_AtTheVersion_WritesTheTokensBumpsTheRowVersionAndReleasesTheLease()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);
        await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));
        var tokens = new TokenUpdate
        {
            AccessToken = [1, 2],
            RefreshToken = [3],
            AccessTokenExpiresAt = The.Now.AddHours(1),
            AccessTokenRefreshAt = The.Now.AddMinutes(55),
            IsValid = true,
            ValidatedAt = The.Now,
        };

        (await Leases.SaveTokensAsync(The.CompanyId, 1, tokens, "a")).Should().BeTrue();

        var row = (await Repository.GetAsync(The.CompanyId))!;
        row.Should().BeEquivalentTo(new { AccessToken = new byte[] { 1, 2 }, RefreshToken = new byte[] { 3 }, AccessTokenExpiresAt = The.Now.AddHours(1), IsValid = true, LastValidatedAt = The.Now, RowVersion = 2L, Version = 1L });
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", The.Now, The.Now.AddSeconds(30))).Should().NotBeNull("the save released a's lease");
    }

    [SkippableFact]
    public async Task SaveTokensAsync_AnotherVersion_WritesNothingAndStillReleasesTheLease()
    {
        await Repository.InsertAsync(Row(The.CompanyId, version: 2), null);
        await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));

        (await Leases.SaveTokensAsync(The.CompanyId, 1, new TokenUpdate { AccessToken = [9], IsValid = true, ValidatedAt = The.Now }, "a")).Should().BeFalse();

        (await Repository.GetAsync(The.CompanyId)).Should().BeEquivalentTo(new { AccessToken = (byte[]?)null, IsValid = (bool?)null, RowVersion = 2L });
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", The.Now, The.Now.AddSeconds(30))).Should().NotBeNull();
    }

    [SkippableFact]
    public async Task SaveTokensAsync_ValidityLeftUnset_KeepsItAndLeavesAnotherOwnersLease()
    {
        await Repository.InsertAsync(Row(The.CompanyId) with { IsValid = false, LastValidatedAt = The.Now.AddDays(-1) }, null);
        await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));

        (await Leases.SaveTokensAsync(The.CompanyId, 1, new TokenUpdate(), "b")).Should().BeTrue();

        (await Repository.GetAsync(The.CompanyId)).Should().BeEquivalentTo(new { IsValid = (bool?)false, LastValidatedAt = The.Now.AddDays(-1) });
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", The.Now, The.Now.AddSeconds(30))).Should().BeNull("only a's own save releases a's lease");
    }
}
