namespace EInvoice.Transmission.Security.Testing;

public abstract partial class CredentialStorageContractTests
{
    [SkippableFact]
    public async Task GetAsync_UnknownCompany_ReturnsNull()
    {
        (await Repository.GetAsync("nobody")).Should().BeNull();
    }

    [SkippableFact]
    public async Task InsertAsync_EveryColumnSet_GetReturnsTheSameRow()
    {
        var row = new StoredCredential
        {
            CompanyId = "Société — شركة — 会社",
            Kind = ApiKeyKind.KindName,
            Environment = "Production",
            Settings = new Dictionary<string, string>
            {
                ["api_endpoint"] = "https://asp.example/",
                ["identifier"] = "0235:123",
                ["provider_name"] = "ASP — Société",
                ["header.aade-user-id"] = "user",
            },
            Secrets = new Dictionary<string, byte[]>
            {
                ["api_key"] = Some.Bytes(110),
                ["client_secret"] = Some.Bytes(120),
                ["header.Ocp-Apim-Subscription-Key"] = Some.Bytes(90),
            },
            AccessToken = Some.Bytes(300),
            RefreshToken = Some.Bytes(100),
            DestinationSeal = Some.Bytes(200),
            AccessTokenExpiresAt = The.Now.AddHours(1),
            AccessTokenRefreshAt = The.Now.AddMinutes(55),
            IsValid = true,
            LastValidatedAt = The.Now.AddMinutes(-1),
            LastTestAt = The.Now.AddMinutes(-2),
            LastTestSucceeded = false,
            LastTestError = "timeout",
            ConfiguredAt = The.Now.AddMilliseconds(123),
            ConfiguredBy = The.Admin,
            Version = 7,
            RowVersion = 9,
        };

        (await Repository.InsertAsync(row, null)).Should().BeTrue();

        (await Repository.GetAsync(row.CompanyId)).Should().BeEquivalentTo(row);
    }

    [SkippableFact]
    public async Task InsertAsync_OnlyRequiredColumns_GetReturnsNulls()
    {
        var row = new StoredCredential
        {
            CompanyId = The.CompanyId,
            Kind = NoCredentialsKind.KindName,
            Environment = "Sandbox",
            ConfiguredAt = The.Now,
            ConfiguredBy = The.Admin,
            Version = 1,
            RowVersion = 1,
        };

        await Repository.InsertAsync(row, null);

        (await Repository.GetAsync(The.CompanyId)).Should().BeEquivalentTo(row);
    }

    [SkippableFact]
    public async Task InsertAsync_CompanyExists_ReturnsFalseAndKeepsTheRow()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);

        var inserted = await Repository.InsertAsync(Row(The.CompanyId).WithSetting("client_id", "other"), Event());

        inserted.Should().BeFalse();
        (await Repository.GetAsync(The.CompanyId))!.ClientId.Should().Be("client");
        (await ReadWholeAuditAsync()).Should().BeEmpty("a write that did not happen is not audited");
    }

    [SkippableFact]
    public async Task UpdateAsync_CurrentRowVersion_ReplacesTheRowAndAppendsTheAudit()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);

        var updated = await Repository.UpdateAsync(Row(The.CompanyId, version: 2).WithSetting("client_id", "changed"), 1, Event());

        updated.Should().BeTrue();
        (await Repository.GetAsync(The.CompanyId))!.ClientId.Should().Be("changed");
        (await ReadWholeAuditAsync()).Should().ContainSingle();
    }

    [SkippableFact]
    public async Task UpdateAsync_StaleRowVersion_ReturnsFalseAndChangesNothing()
    {
        await Repository.InsertAsync(Row(The.CompanyId), null);
        await Repository.UpdateAsync(Row(The.CompanyId, version: 2), 1, null);

        var updated = await Repository.UpdateAsync(Row(The.CompanyId, version: 2).WithSetting("client_id", "lost"), 1, Event());

        updated.Should().BeFalse();
        (await Repository.GetAsync(The.CompanyId))!.ClientId.Should().Be("client");
        (await ReadWholeAuditAsync()).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task UpdateManyAsync_SomeRowsMovedOn_WritesTheOthersWithoutAuditAndNamesTheSkipped()
    {
        await Repository.InsertAsync(Row("company-a"), null);
        await Repository.InsertAsync(Row("company-b"), null);
        await Repository.InsertAsync(Row("company-c"), null);
        await Repository.UpdateAsync(Row("company-b", version: 2).WithSetting("client_id", "changed-meanwhile"), 1, null);

        var skipped = await Repository.UpdateManyAsync(
        [
            new CredentialRowUpdate(Row("company-a", version: 2).WithSetting("client_id", "batch-a"), 1),
            new CredentialRowUpdate(Row("company-b", version: 2).WithSetting("client_id", "batch-b"), 1),
            new CredentialRowUpdate(Row("company-c", version: 2).WithSetting("client_id", "batch-c"), 1),
            new CredentialRowUpdate(Row("nobody", version: 2), 1),
        ]);

        skipped.Should().BeEquivalentTo(["company-b", "nobody"]);
        (await Repository.GetAsync("company-a"))!.ClientId.Should().Be("batch-a");
        (await Repository.GetAsync("company-b"))!.ClientId.Should().Be("changed-meanwhile", "a row that moved on is not overwritten");
        (await Repository.GetAsync("company-c"))!.ClientId.Should().Be("batch-c");
        (await Repository.GetAsync("company-c"))!.RowVersion.Should().Be(2);
        (await ReadWholeAuditAsync()).Should().BeEmpty();
        (await Repository.UpdateManyAsync([])).Should().BeEmpty();
    }

    [SkippableFact]
    public async Task UpdateAsync_UnknownCompany_ReturnsFalse()
    {
        (await Repository.UpdateAsync(Row("nobody", version: 2), 1, null)).Should().BeFalse();
    }

    [SkippableFact]
    public async Task DeleteAsync_StaleThenCurrentRowVersion_DeletesOnlyWhenCurrent()
    {
        await Repository.InsertAsync(Row(The.CompanyId, version: 3), null);

        (await Repository.DeleteAsync(The.CompanyId, 2, Event())).Should().BeFalse();
        (await Repository.GetAsync(The.CompanyId)).Should().NotBeNull();

        (await Repository.DeleteAsync(The.CompanyId, 3, Event())).Should().BeTrue();
        (await Repository.GetAsync(The.CompanyId)).Should().BeNull();
        (await ReadWholeAuditAsync()).Should().ContainSingle();
    }

    [SkippableFact]
    public async Task ListAsync_Pages_ReturnEveryRowOnceInOrder()
    {
        var ids = Enumerable.Range(0, 25).Select(i => $"company-{i:D3}").OrderBy(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await Repository.InsertAsync(Row(id), null);
        }

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await Repository.ListAsync(after, 7);
            seen.AddRange(page.Select(r => r.CompanyId));
            if (page.Count < 7)
            {
                break;
            }

            after = page[^1].CompanyId;
        }

        seen.Should().Equal(ids.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Operations_CancelledToken_ThrowAndStoreNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => Repository.InsertAsync(Row(The.CompanyId), Event(), cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => Repository.GetAsync(The.CompanyId, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => AuditTrail.AppendAuditAsync(Event(), cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();

        (await Repository.GetAsync(The.CompanyId)).Should().BeNull();
        (await ReadWholeAuditAsync()).Should().BeEmpty();
    }
}
