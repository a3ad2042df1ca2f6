using System.Collections.Concurrent;
using System.Net;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Tests.Reliability;

/// <summary>
/// A change made by another process is noticed within <see cref="OAuthOptions.CredentialRecheckInterval"/> from the
/// audit trail — one query per interval, whatever the number of companies — and only the changed companies are read
/// again (issue 15, goal 2). Each company's row is still read once per 60 intervals, the net for changes that bypass
/// the library.
/// </summary>
public sealed class ChangeNoticingTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ManyCachedCompanies_OneChangedByAnotherProcess_OnlyThatOneIsReadAgain()
    {
        var shared = new InMemoryCredentialRepository();
        var storage = new WatchedRepository(shared);
        var clock = Some.Clock();
        await using var host = Watching(storage, clock);
        await using var other = Elsewhere(shared, clock);
                var companies = Enumerable.Range(0, 200).Select(i => $"company-{i:D3}").ToArray();
        foreach (var company in companies)
        {
            await host.Store.SetAsync(company, ApiKey("key-" + company), The.AdminWithMfa);
            (await host.SendAsync(company)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // The creations are changes too: the first interval's query reads those after the first company's (the position
        // changes are read from was taken at its first request), and each of those companies is read once more.
        var cache = host.Services.GetRequiredService<AccessTokenCache>();
        clock.Advance(Interval);
        await Eventually.TrueAsync(() => cache.CompletedChangePolls == 1, "the first interval's query for changes ran");
        await Eventually.TrueAsync(() => companies.Skip(1).All(c => !host.Services.GetRequiredService<AccessTokenCache>().IsCached(c)), "the creations were read");
        foreach (var company in companies)
        {
            (await host.SendAsync(company)).Dispose();
        }

        storage.Reads.Clear();
        var auditReadsBefore = storage.AuditReads;
        await other.Store.SetAsync("company-007", NewKey("rotated-elsewhere"), The.AdminWithMfa);

        for (var minute = 1; minute <= 5; minute++)
        {
            clock.Advance(Interval);
            await Eventually.TrueAsync(() => cache.CompletedChangePolls == 1 + minute, "the interval's query for changes ran");
            if (minute == 1)
            {
                await Eventually.TrueAsync(() => !cache.IsCached("company-007"), "the change made elsewhere was read within one interval");
            }

            foreach (var company in companies)
            {
                (await host.SendAsync(company)).Dispose();
            }
        }

        storage.Reads.Should().Equal(["company-007"], "only the changed company is read again; the other 199 are not re-read every interval");
        (storage.AuditReads - auditReadsBefore).Should().Be(6, "per interval one small query (the entry at the position) and one more when there are new entries, for all 200 companies");
        host.ApiCalls.Where(c => c.ApiKey == "rotated-elsewhere").Should().HaveCount(5, "company-007 sends its new key from the first interval on");
    }

    [Fact]
    public async Task ChangeCommittedJustAfterTheFirstRead_IsStillNoticed()
    {
        // The race: this host reads the company's row; before it builds anything from it, another process changes it.
        // The position changes are read from was taken before the row, so the change is after it.
        var shared = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var other = Elsewhere(shared, clock);
        await other.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        var storage = new WatchedRepository(shared)
        {
            AfterFirstRead = () => other.Store.SetAsync(The.CompanyId, NewKey("second-key"), The.AdminWithMfa),
        };
        await using var host = Watching(storage, clock);
        
        (await host.SendAsync()).Dispose();
        host.ApiCalls.Single().ApiKey.Should().Be("first-key", "the row was read before the change");

        clock.Advance(Interval);
        await Eventually.TrueAsync(() => !host.Services.GetRequiredService<AccessTokenCache>().IsCached(The.CompanyId), "the change was read within one interval");
        (await host.SendAsync()).Dispose();
        host.ApiCalls.Last().ApiKey.Should().Be("second-key");
    }

    [Fact]
    public async Task QueryForChangesFails_TheChangeIsNoticedAtTheNextInterval()
    {
        var shared = new InMemoryCredentialRepository();
        var storage = new WatchedRepository(shared) { FailAuditReads = 1 };
        var clock = Some.Clock();
        await using var host = Watching(storage, clock);
        await using var other = Elsewhere(shared, clock);
                await host.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        (await host.SendAsync()).Dispose();
        await other.Store.SetAsync(The.CompanyId, NewKey("second-key"), The.AdminWithMfa);

        clock.Advance(Interval);
        await Eventually.TrueAsync(() => host.Logs.GetSnapshot().Any(r => r.Id.Id == 1109), "the failed query was logged");
        (await host.SendAsync()).Dispose();
        host.ApiCalls.Last().ApiKey.Should().Be("first-key", "the change could not be read yet");

        clock.Advance(Interval);
        await Eventually.TrueAsync(() => !host.Services.GetRequiredService<AccessTokenCache>().IsCached(The.CompanyId), "the next interval read the same entries again");
        (await host.SendAsync()).Dispose();
        host.ApiCalls.Last().ApiKey.Should().Be("second-key");
        host.Logs.GetSnapshot().Single(r => r.Id.Id == 1109).Message.Should().Contain(nameof(InjectedFaultException)).And.NotContain("second-key");
    }

    [Fact]
    public async Task CompanyDeletedByAnotherProcess_StopsSendingWithinOneInterval()
    {
        var shared = new InMemoryCredentialRepository();
        var clock = Some.Clock();
        await using var host = Watching(shared, clock);
        await using var other = Elsewhere(shared, clock);
                await host.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        (await host.SendAsync()).Dispose();

        (await other.Store.DeleteAsync(The.CompanyId, The.AdminWithMfa)).Should().BeTrue();
        clock.Advance(Interval);
        await Eventually.TrueAsync(() => !host.Services.GetRequiredService<AccessTokenCache>().IsCached(The.CompanyId), "the deletion was read within one interval");

        var error = (await host.Invoking(h => h.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;
        error.Error.Should().Be(OAuthTokenException.CredentialsNotFound);
        host.ApiCalls.Should().HaveCount(1);
    }

    [Fact]
    public async Task RowEditedBehindTheLibrarysBack_IsNoticedByTheFullRecheckAfterSixtyIntervals()
    {
        // A hand edit writes no audit entry: the change query cannot see it. Each row is read again once per 60
        // intervals, and then the edit fails the destination check.
        var shared = new InMemoryCredentialRepository();
        var storage = new WatchedRepository(shared);
        var clock = Some.Clock();
        await using var host = Watching(storage, clock);
                await host.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        (await host.SendAsync()).Dispose();
        var row = (await shared.GetAsync(The.CompanyId))!;
        var edited = new Dictionary<string, string>(row.Settings, StringComparer.Ordinal) { [ApiKeyKind.HeaderName] = "X-Elsewhere" };
        (await shared.UpdateAsync(row with { Settings = edited, RowVersion = row.RowVersion + 1 }, row.RowVersion, audit: null)).Should().BeTrue();
        storage.Reads.Clear();

        for (var minute = 1; minute < 60; minute++)
        {
            clock.Advance(Interval);
            (await host.SendAsync()).Dispose();
        }

        storage.Reads.Should().BeEmpty("no audit entry names the company, and its row is not yet due for the full re-check");
        host.ApiCalls.Should().OnlyContain(c => c.ApiKey == "first-key");

        clock.Advance(Interval);
        (await host.SendAsync()).Dispose();
        await Eventually.TrueAsync(() => !host.Services.GetRequiredService<AccessTokenCache>().IsFetching(The.CompanyId), "the full re-check is over");
        storage.Reads.Should().Equal([The.CompanyId]);
        var error = (await host.Invoking(h => h.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;
        error.Error.Should().Be(OAuthTokenException.CredentialsUnreadable, "the edited setting fails the destination check");
    }

    [Fact]
    public async Task EntryWrittenFarAheadOfTheHead_DoesNotCarryThePositionPastTheChangesToCome()
    {
        // Someone with write access to storage adds an audit row with a huge sequence number, leaving the head alone. Were
        // the position to follow it, every later change would lie behind it.
        var shared = new InMemoryCredentialRepository();
        var storage = new WatchedRepository(shared);
        var clock = Some.Clock();
        await using var host = Watching(storage, clock);
        await using var other = Elsewhere(shared, clock);
                await host.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        await host.Store.SetAsync(The.OtherCompanyId, ApiKey("other-key"), The.AdminWithMfa);
        (await host.SendAsync(The.CompanyId)).Dispose();
        (await host.SendAsync(The.OtherCompanyId)).Dispose();
        var cache = host.Services.GetRequiredService<AccessTokenCache>();
        storage.ForgedEntryAhead = true;

        await other.Store.SetAsync("company-not-cached", ApiKey("k"), The.AdminWithMfa);
        clock.Advance(Interval);
        await Eventually.TrueAsync(() => cache.CompletedChangePolls == 1, "the first poll ran");
        await other.Store.SetAsync(The.CompanyId, NewKey("second-key"), The.AdminWithMfa);
        clock.Advance(Interval);
        await Eventually.TrueAsync(() => cache.CompletedChangePolls == 2, "the second poll ran");

        cache.IsCached(The.CompanyId).Should().BeFalse("the change after the forged entry was read");
        cache.IsCached(The.OtherCompanyId).Should().BeTrue("only the changed company is dropped: the position stayed on the real trail");
        host.Logs.GetSnapshot().Should().NotContain(r => r.Id.Id == 1115);
        (await host.SendAsync(The.CompanyId)).Dispose();
        host.ApiCalls.Last().ApiKey.Should().Be("second-key");
    }

    [Fact]
    public async Task AuditTrailGoesBack_AsAfterARestoredBackup_EveryCachedCompanyIsReadAgainWithAWarning()
    {
        var shared = new InMemoryCredentialRepository();
        var storage = new WatchedRepository(shared);
        var clock = Some.Clock();
        await using var host = Watching(storage, clock);
                await host.Store.SetAsync(The.CompanyId, ApiKey("first-key"), The.AdminWithMfa);
        await host.Store.SetAsync(The.OtherCompanyId, ApiKey("other-key"), The.AdminWithMfa);
        (await host.SendAsync(The.CompanyId)).Dispose();
        (await host.SendAsync(The.OtherCompanyId)).Dispose();
        var cache = host.Services.GetRequiredService<AccessTokenCache>();

        // The head is back at the first entry, with another hash: what changed since cannot be told from the trail.
        storage.RewoundHead = true;
        clock.Advance(Interval);
        await Eventually.TrueAsync(() => cache.CompletedChangePolls == 1, "the poll ran");

        cache.IsCached(The.CompanyId).Should().BeFalse();
        cache.IsCached(The.OtherCompanyId).Should().BeFalse();
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 1115).Which.Message.Should().Contain("2 cached companies");
        (await host.SendAsync(The.CompanyId)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    /// <summary>The host under test: re-checking every <see cref="Interval"/>, its API served.</summary>
    private static TransmissionTestHost Watching(ICredentialRepository storage, TimeProvider clock)
    {
        var host = TransmissionTestHost.With().Storage(storage).Clock(clock).OAuth(o => o.CredentialRecheckInterval = Interval).Start();
        host.ServeApi(The.ApiEndpoint);
        return host;
    }

    /// <summary>Another process on the same storage, whose changes the host under test is not told of.</summary>
    private static TransmissionTestHost Elsewhere(ICredentialRepository storage, TimeProvider clock)
        => TransmissionTestHost.With().Storage(storage).Clock(clock).Start();

    /// <summary>An update that replaces only the API key.</summary>
    private static CredentialUpdate NewKey(string key) => new CredentialUpdate().WithSecret(ApiKeyKind.ApiKey, new SecretValue(key));

    private static CredentialUpdate ApiKey(string key)
        => The.AspCredentials.WithSetting(ApiKeyKind.ApiEndpoint, The.ApiEndpoint).WithSecret(ApiKeyKind.ApiKey, new SecretValue(key));

    /// <summary>Records which companies' rows are read and how often the audit trail is; can fail audit reads and run code after the first row read.</summary>
    private sealed class WatchedRepository(ICredentialRepository inner) : DelegatingCredentialRepository(inner)
    {
        private int _auditReads;
        private int _rowReads;

        public ConcurrentQueue<string> Reads { get; } = new();

        public int AuditReads => Volatile.Read(ref _auditReads);

        public int FailAuditReads { get; set; }

        public Func<Task>? AfterFirstRead { get; init; }

        public override async Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default)
        {
            var row = await base.GetAsync(companyId, cancellationToken);
            Reads.Enqueue(companyId);
            if (Interlocked.Increment(ref _rowReads) == 1 && AfterFirstRead is { } afterFirstRead)
            {
                await afterFirstRead();
            }

            return row;
        }

        /// <summary>Every page read also returns an entry with a huge sequence number naming another company, as a row written into storage would.</summary>
        public bool ForgedEntryAhead { get; set; }

        /// <summary>The head reads as the first entry with another hash, as after restoring an old backup.</summary>
        public bool RewoundHead { get; set; }

        public override async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _auditReads);
            if (FailAuditReads > 0)
            {
                FailAuditReads--;
                throw new InjectedFaultException("the audit trail could not be read");
            }

            var entries = await base.ReadAuditAsync(afterSequence, limit, cancellationToken);
            if (ForgedEntryAhead && limit > 1 && entries.Count < limit)
            {
                entries = [.. entries, entries[^1] with { Sequence = 1_000_000, CompanyId = The.OtherCompanyId }];
            }

            return entries;
        }

        public override async Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken = default)
            => RewoundHead ? new AuditHead(1, new string('0', 64)) : await base.GetAuditHeadAsync(cancellationToken);
    }
}
