namespace EInvoice.Transmission.Security.Testing;

/// <summary>The <see cref="ITokenLeaseRepository"/> part of the contract: one holder at a time, expiry, and no row change.</summary>
public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task TryAcquireLeaseAsync_TwoOwners_OneHoldsItUntilReleaseOrExpiry()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);
        var now = The.Now;

        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now, now.AddSeconds(30))).Should().BeTrue();
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now, now.AddSeconds(30))).Should().BeFalse();
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now, now.AddSeconds(30))).Should().BeTrue("the holder may renew");

        await Leases.ReleaseLeaseAsync(The.CompanyId, "b");
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now, now.AddSeconds(30))).Should().BeFalse("only the holder releases");

        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "b", now.AddSeconds(31), now.AddSeconds(60))).Should().BeTrue("an expired lease is free");

        await Leases.ReleaseLeaseAsync(The.CompanyId, "b");
        (await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", now.AddSeconds(32), now.AddSeconds(60))).Should().BeTrue();
    }

    [SkippableFact]
    public async Task TryAcquireLeaseAsync_UnknownCompany_ReturnsFalse()
    {
        (await Leases.TryAcquireLeaseAsync("nobody", "a", The.Now, The.Now.AddSeconds(30))).Should().BeFalse();
    }

    [SkippableFact]
    public async Task TryAcquireLeaseAsync_LeaseHeld_DoesNotChangeTheRowVersion()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);

        await Leases.TryAcquireLeaseAsync(The.CompanyId, "a", The.Now, The.Now.AddSeconds(30));

        (await Repository.UpdateAsync(Row(The.CompanyId, version: 2), 1, null)).Should().BeTrue("a lease is not a change of the credentials");
    }
}
