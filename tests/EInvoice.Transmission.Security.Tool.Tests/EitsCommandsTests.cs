using static EInvoice.Transmission.Security.Tool.Tests.SeededCompanies;

namespace EInvoice.Transmission.Security.Tool.Tests;

/// <summary>
/// Every command that works on a database, run through the tool's command line against SQLite and PostgreSQL: exit
/// codes, the output's shape, <c>--json</c> parsed, and no secret in any output (canaries).
/// </summary>
public abstract class EitsCommandsTests : IAsyncLifetime
{
    private ToolDatabase? _database;

    protected ToolDatabase Database => _database!;

    protected Eits Tool { get; } = new(Eits.KeyRing(OldKeyId, (OldKeyId, OldKey)));

    // Created by each test rather than in InitializeAsync: a PostgreSQL test without a server must be skipped, and
    // only the test body can skip.
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected abstract Task<ToolDatabase> CreateDatabaseAsync();

    private async Task StartAsync() => _database = await CreateDatabaseAsync();

    [SkippableFact]
    public async Task StatusAndList_SeededCompanies_ShowTheSafeStatusAndNoSecret()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 3);
        var company = companies.CompanyIds[0];

        var table = await Tool.RunAsync(["status", company, .. Database.StorageArgs]);
        table.ExitCode.Should().Be(ExitCodes.Success, table.ToString());
        table.Out.Should().Contain(company).And.Contain("api_key").And.Contain("(stored, sealed)");

        var json = (await Tool.RunAsync(["status", company, "--json", .. Database.StorageArgs])).Json;
        json.GetProperty("companyId").GetString().Should().Be(company);
        json.GetProperty("kind").GetString().Should().Be("api_key");
        json.GetProperty("isConfigured").GetBoolean().Should().BeTrue();
        json.GetProperty("secretNames").EnumerateArray().Select(static e => e.GetString()).Should().Equal("api_key");

        var summary = await Tool.RunAsync(["status", "--json", .. Database.StorageArgs]);
        summary.ExitCode.Should().Be(ExitCodes.Success, summary.ToString());
        summary.Json.GetProperty("companies").GetInt64().Should().Be(3);
        summary.Json.GetProperty("activeKeyId").GetString().Should().Be(OldKeyId);

        var list = await Tool.RunAsync(["list", "--json", .. Database.StorageArgs]);
        list.ExitCode.Should().Be(ExitCodes.Success, list.ToString());
        list.Json.GetProperty("companies").EnumerateArray().Select(static c => c.GetProperty("status").GetProperty("companyId").GetString())
            .Should().Equal(companies.CompanyIds);
        (await Tool.RunAsync(["list", .. Database.StorageArgs])).Out.Should().Contain("3 companies.");

        var unknown = await Tool.RunAsync(["status", "EITS-NOBODY", .. Database.StorageArgs]);
        unknown.ExitCode.Should().Be(ExitCodes.NotFound);
        unknown.Error.Should().Contain("EITS-NOBODY");

        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task StatusAndList_StoredTextWithTerminalControls_IsShownEscapedNeverObeyed()
    {
        // Someone who can write the database puts escape sequences into columns the tool prints: clear the screen, set
        // the clipboard (OSC 52), colour through a C1 control, reverse the text that follows.
        await StartAsync();
        await using var companies = await CreateAsync(Database, 1);
        var company = companies.CompanyIds[0];
        var repository = Database.Repository();
        var row = (await repository.GetAsync(company))!;
        (await repository.UpdateAsync(
            row with
            {
                ConfiguredBy = "evil\u001b[2J\u001b]52;c;ZXZpbA==\u0007",
                LastTestAt = DateTimeOffset.UtcNow,
                LastTestSucceeded = false,
                LastTestError = "refused\u009b31m\u202Edesrever",
                RowVersion = row.RowVersion + 1,
            },
            row.RowVersion,
            null)).Should().BeTrue();

        var status = await Tool.RunAsync(["status", company, .. Database.StorageArgs]);
        var list = await Tool.RunAsync(["list", .. Database.StorageArgs]);

        foreach (var run in new[] { status, list })
        {
            run.ExitCode.Should().Be(ExitCodes.Success, run.ToString());
            run.Out.Should().NotContainAny(["\u001b", "\u0007", "\u009b", "\u202E"]);
        }

        status.Out.Should().Contain("evil\\u001B[2J\\u001B]52;c;ZXZpbA==\\u0007").And.Contain("refused\\u009B31m\\u202Edesrever");
    }

    [SkippableFact]
    public async Task ListFailing_TamperedAndRefusedCompanies_ListsThemWithTheReason()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 4);
        var tampered = companies.CompanyIds[1];
        var refused = companies.CompanyIds[2];

        // Someone with write access to the table points a company elsewhere; another company's platform refuses its key.
        await Database.ExecuteAsync($"UPDATE eits_credentials SET settings = '{{\"api_endpoint\":\"https://collector.evil.example/\"}}' WHERE company_id = '{tampered}'");
        companies.Api.Respond = (request, _) => (401, "{}", null);
        (await Tool.RunAsync(["test", refused, .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.CheckFailed);

        var failing = await Tool.RunAsync(["list", "--failing", "--json", .. Database.StorageArgs]);

        failing.ExitCode.Should().Be(ExitCodes.Success, failing.ToString());
        var rows = failing.Json.GetProperty("companies").EnumerateArray()
            .ToDictionary(static c => c.GetProperty("status").GetProperty("companyId").GetString()!, static c => c.GetProperty("failure").GetString());
        rows.Keys.Should().BeEquivalentTo([tampered, refused]);
        rows[tampered].Should().Contain("integrity check").And.Contain("api_endpoint");
        rows[refused].Should().Contain("last connection test failed");
        failing.Out.Should().NotContain("collector.evil.example", "a tampered destination is shown as it was sealed, never as planted");
        (await Tool.RunAsync(["list", "--failing", .. Database.StorageArgs])).Out.Should().Contain("2 failing companies.");
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task ListExpiring_SecretsExpiredOrWithinTheDays_ListsThemWithTheirExpiry()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 4);
        var ids = companies.CompanyIds;
        var now = TimeProvider.System.GetUtcNow();
        await using (var host = Testing.TransmissionTestHost.With().Storage(Database.Repository()).Vault(options =>
        {
            options.ActiveKeyId = OldKeyId;
            options.Keys[OldKeyId] = OldKey;
        }).Services(services => Microsoft.Extensions.DependencyInjection.OptionsServiceCollectionExtensions.Configure<CredentialStoreOptions>(services, options => options.AllowHttpOnLoopback = true)).Start())
        {
            foreach (var (company, days) in new[] { (ids[0], 5), (ids[1], 90), (ids[2], -1) })
            {
                await host.Store.SetAsync(company, new CredentialUpdate().WithSecretExpiry(ApiKeyKind.ApiKey, now.AddDays(days)), Testing.The.AdminWithMfa);
            }
        }

        var expiring = await Tool.RunAsync(["list", "--expiring", "30", "--json", .. Database.StorageArgs]);
        var table = await Tool.RunAsync(["list", "--expiring", "30", .. Database.StorageArgs]);
        var status = await Tool.RunAsync(["status", ids[0], .. Database.StorageArgs]);

        expiring.ExitCode.Should().Be(ExitCodes.Success, expiring.ToString());
        expiring.Json.GetProperty("companies").EnumerateArray().Select(static c => c.GetProperty("status").GetProperty("companyId").GetString())
            .Should().BeEquivalentTo([ids[0], ids[2]], "expired and within 30 days; 90 days and no expiry are left out");
        table.Out.Should().Contain("2 companies with a secret expired or expiring within 30 days.").And.Contain("(api_key)");
        status.Out.Should().Contain("api_key expires");
        (await Tool.RunAsync(["list", "--expiring", "-3", .. Database.StorageArgs])).ExitCode.Should().NotBe(ExitCodes.Success);
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task Test_CompanyWhoseKeyIsAccepted_SucceedsAndIsRecorded()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 2);
        var company = companies.CompanyIds[0];

        var run = await Tool.RunAsync(["test", company, "--json", .. Database.StorageArgs]);

        run.ExitCode.Should().Be(ExitCodes.Success, run.ToString());
        run.Json.GetProperty("succeeded").GetBoolean().Should().BeTrue();
        var status = (await Tool.RunAsync(["status", company, "--json", .. Database.StorageArgs])).Json;
        status.GetProperty("lastConnectionTest").GetProperty("succeeded").GetBoolean().Should().BeTrue();

        companies.Api.Respond = (_, _) => (401, "{}", null);
        var refused = await Tool.RunAsync(["test", company, .. Database.StorageArgs]);
        refused.ExitCode.Should().Be(ExitCodes.CheckFailed, refused.ToString());
        refused.Out.Should().Contain("FAILED");
        (await Tool.RunAsync(["test", "EITS-NOBODY", .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.NotFound);
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task KeyCheck_CountsEnvelopesPerKey_AndFailsWhenStoredValuesAreUnderAKeyNotInTheRing()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 3);

        var check = await Tool.RunAsync(["key", "check", "--json", .. Database.StorageArgs]);

        check.ExitCode.Should().Be(ExitCodes.Success, check.ToString());
        check.Json.GetProperty("probe").GetString().Should().Be("ok");
        check.Json.GetProperty("credentials").GetInt64().Should().Be(3);
        var keys = check.Json.GetProperty("keys").EnumerateArray().ToList();
        keys.Should().ContainSingle();
        keys[0].GetProperty("keyId").GetString().Should().Be(OldKeyId);
        keys[0].GetProperty("credentials").GetInt64().Should().Be(3);
        keys[0].GetProperty("envelopes").GetInt64().Should().Be(6, "an API key and a destination seal each");

        // The new key alone: the stored values are under a key the ring no longer has.
        Tool.Configuration = Eits.KeyRing(NewKeyId, (NewKeyId, NewKey));
        var lost = await Tool.RunAsync(["key", "check", .. Database.StorageArgs]);
        lost.ExitCode.Should().Be(ExitCodes.CheckFailed, lost.ToString());
        lost.Out.Should().Contain("not in the ring");
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task Rewrap_StoppedAfterABatchThenRunAgain_FinishesAndEverySecretOpensUnderTheNewKey()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 7);
        Tool.Configuration = Eits.KeyRing(NewKeyId, (OldKeyId, OldKey), (NewKeyId, NewKey));

        // Ctrl+C as soon as the first batch is reported.
        using var stop = new CancellationTokenSource();
        var stopped = await Tool.RunAsync(["rewrap", "--batch", "3", .. Database.StorageArgs], new StopWhenWritten("rewrap:", stop), stop.Token);

        stopped.ExitCode.Should().Be(ExitCodes.Cancelled, stopped.ToString());
        stopped.Out.Should().Contain("rewrap: 3/7 companies").And.Contain("Stopped after a batch: 3 of 7 companies scanned, 3 moved")
            .And.Contain("Run the same command again to resume");
        stopped.Out.Should().NotContain("rewrap: 6/7", "the rotation stops before it reads the next batch");
        stopped.Out.Should().NotContain("\u001b", "redirected output is plain lines");
        var between = (await Tool.RunAsync(["key", "check", "--json", .. Database.StorageArgs])).Json.GetProperty("keys").EnumerateArray()
            .ToDictionary(static k => k.GetProperty("keyId").GetString()!, static k => k.GetProperty("credentials").GetInt64());
        between.Should().Equal(new Dictionary<string, long> { [NewKeyId] = 3, [OldKeyId] = 4 });

        var resumed = await Tool.RunAsync(["rewrap", "--batch", "3", "--json", .. Database.StorageArgs]);

        resumed.ExitCode.Should().Be(ExitCodes.Success, resumed.ToString());
        resumed.Error.Should().Contain("rewrap: 3/7 companies").And.Contain("rewrap: 7/7 companies", "with --json, progress goes to standard error");
        var report = resumed.Json;
        report.GetProperty("completed").GetBoolean().Should().BeTrue();
        report.GetProperty("activeKeyId").GetString().Should().Be(NewKeyId);
        report.GetProperty("scanned").GetInt64().Should().Be(7);
        report.GetProperty("rewrapped").GetInt64().Should().Be(4);
        report.GetProperty("alreadyUnderActiveKey").GetInt64().Should().Be(3);
        report.GetProperty("failedCompanyIds").GetArrayLength().Should().Be(0);
        report.GetProperty("companiesStillUnderOtherKeys").GetInt64().Should().Be(0);

        // The old key leaves the ring: every company's API key still opens and is accepted by its API.
        Tool.Configuration = Eits.KeyRing(NewKeyId, (NewKeyId, NewKey));
        (await Tool.RunAsync(["key", "check", .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.Success);
        foreach (var company in companies.CompanyIds)
        {
            var test = await Tool.RunAsync(["test", company, .. Database.StorageArgs]);
            test.ExitCode.Should().Be(ExitCodes.Success, test.ToString());
        }

        (await Tool.RunAsync(["audit", "verify", .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.Success, "the rotation vouched for the old key's entries");
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task Rewrap_CompanyUnderAKeyNotInTheRing_ExitsWithTheListOfFailedCompanies()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 3);
        await companies.AddAsync(Database, 1, LostKeyId, LostKey);
        var lost = companies.CompanyIds[3];
        Tool.Configuration = Eits.KeyRing(NewKeyId, (OldKeyId, OldKey), (NewKeyId, NewKey));

        var run = await Tool.RunAsync(["rewrap", .. Database.StorageArgs]);

        run.ExitCode.Should().Be(ExitCodes.CheckFailed, run.ToString());
        run.Out.Should().Contain("could not be moved").And.Contain(lost);
        var json = await Tool.RunAsync(["rewrap", "--json", .. Database.StorageArgs]);
        json.ExitCode.Should().Be(ExitCodes.CheckFailed);
        json.Json.GetProperty("failedCompanyIds").EnumerateArray().Select(static c => c.GetString()).Should().Equal(lost);
        json.Json.GetProperty("companiesStillUnderOtherKeys").GetInt64().Should().Be(1);
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task AuditVerify_Intact_PrintsTheHeadToRecordAndChecksItNextTime()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 3);

        var text = await Tool.RunAsync(["audit", "verify", .. Database.StorageArgs]);
        text.ExitCode.Should().Be(ExitCodes.Success, text.ToString());
        text.Out.Should().Contain("Audit trail intact: 3 entries.").And.Contain("--expect-count 3 --expect-head ");

        var json = (await Tool.RunAsync(["audit", "verify", "--json", .. Database.StorageArgs])).Json;
        json.GetProperty("intact").GetBoolean().Should().BeTrue();
        json.GetProperty("break").GetString().Should().Be("none");
        var head = json.GetProperty("headHash").GetString()!;
        head.Should().MatchRegex("^[0-9a-f]{64}$");

        (await Tool.RunAsync(["audit", "verify", "--expect-count", "3", "--expect-head", head, .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.Success);
        (await Tool.RunAsync(["audit", "verify", "--expect-head", head, .. Database.StorageArgs])).ExitCode.Should().Be(ExitCodes.Usage);
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableTheory]
    [InlineData("edited", ExitCodes.AuditChanged)]
    [InlineData("removed", ExitCodes.AuditMissing)]
    [InlineData("truncated", ExitCodes.AuditTruncated)]
    public async Task AuditVerify_EntryTamperedWith_ExitsWithACodeForEachKindOfBreak(string tampering, int exitCode)
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 4);
        var checkpoint = (await Tool.RunAsync(["audit", "verify", "--json", .. Database.StorageArgs])).Json;
        var count = checkpoint.GetProperty("entryCount").GetInt64();
        var head = checkpoint.GetProperty("headHash").GetString()!;
        count.Should().Be(4);

        switch (tampering)
        {
            case "edited":
                await Database.ExecuteAsync("UPDATE eits_audit SET actor = 'mallory' WHERE sequence = 2");
                break;
            case "removed":
                await Database.ExecuteAsync("DELETE FROM eits_audit WHERE sequence = 2");
                break;
            default:
                // The last entry cut off and the head record moved back onto the one before it: consistent in itself,
                // so only the checkpoint kept elsewhere shows it.
                var previous = (string)(await Database.ScalarAsync("SELECT hash FROM eits_audit WHERE sequence = 3"))!;
                await Database.ExecuteAsync("DELETE FROM eits_audit WHERE sequence = 4");
                await Database.ExecuteAsync($"UPDATE eits_audit_head SET sequence = 3, hash = '{previous}' WHERE id = 1");
                break;
        }

        var run = await Tool.RunAsync(["audit", "verify", "--expect-count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--expect-head", head, .. Database.StorageArgs]);
        run.ExitCode.Should().Be(exitCode, run.ToString());
        run.Out.Should().Contain("BROKEN at entry " + (tampering == "truncated" ? "4" : "2"));

        var json = await Tool.RunAsync(["audit", "verify", "--json", "--expect-count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Database.StorageArgs]);
        json.ExitCode.Should().Be(exitCode);
        json.Json.GetProperty("intact").GetBoolean().Should().BeFalse();
        json.Json.GetProperty("break").GetString().Should().Be(tampering switch { "edited" => "changed", "removed" => "missing", _ => "truncated" });
        Tool.ShouldNotHaveWritten(companies.Canaries);
    }

    [SkippableFact]
    public async Task Migrate_DryRunThenApply_ListsPendingMigrationsThenAppliesThemOnce()
    {
        await StartAsync();
        // No key ring: an account that may change the schema needs none.
        Tool.Configuration = new Dictionary<string, string?>();

        var dryRun = await Tool.RunAsync(["migrate", "--dry-run", "--json", .. Database.StorageArgs]);

        dryRun.ExitCode.Should().Be(ExitCodes.Success, dryRun.ToString());
        var pending = dryRun.Json.GetProperty("pending").EnumerateArray().Select(static v => v.GetInt32()).ToList();
        pending.Should().NotBeEmpty().And.BeInAscendingOrder();
        dryRun.Json.GetProperty("appliedNow").GetArrayLength().Should().Be(0);
        if (Database is ToolDatabase.Sqlite sqlite)
        {
            File.Exists(sqlite.Path).Should().BeFalse("a dry run creates nothing");
        }

        var applied = await Tool.RunAsync(["migrate", "--json", .. Database.StorageArgs]);
        applied.ExitCode.Should().Be(ExitCodes.Success, applied.ToString());
        applied.Json.GetProperty("appliedNow").EnumerateArray().Select(static v => v.GetInt32()).Should().Equal(pending);
        applied.Json.GetProperty("pending").GetArrayLength().Should().Be(0);

        var again = await Tool.RunAsync(["migrate", .. Database.StorageArgs]);
        again.ExitCode.Should().Be(ExitCodes.Success);
        again.Out.Should().Contain("Schema up to date; nothing applied.");
        (await Tool.RunAsync(["migrate", "--dry-run", .. Database.StorageArgs])).Out.Should().Contain("Schema up to date; nothing to apply.");
    }

    [SkippableFact]
    public async Task AnyCommand_WithoutAKeyRing_ExitsWithAUsageErrorNamingTheSetting()
    {
        await StartAsync();
        await using var companies = await CreateAsync(Database, 1);
        Tool.Configuration = new Dictionary<string, string?>();

        var run = await Tool.RunAsync(["status", .. Database.StorageArgs]);

        run.ExitCode.Should().Be(ExitCodes.Usage, run.ToString());
        run.Error.Should().Contain("ActiveKeyId");
    }
}

public sealed class EitsCommandsSqliteTests : EitsCommandsTests
{
    protected override Task<ToolDatabase> CreateDatabaseAsync() => Task.FromResult<ToolDatabase>(new ToolDatabase.Sqlite());
}

public sealed class EitsCommandsPostgresTests : EitsCommandsTests
{
    protected override Task<ToolDatabase> CreateDatabaseAsync() => ToolDatabase.Postgres.CreateAsync();
}
