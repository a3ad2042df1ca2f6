using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Credentials;

/// <summary>
/// A change retried after a write conflict is planned again on what is stored now; when that is another kind (another
/// destination), the proof approved a different change, so it is refused instead of applied (found in review).
/// </summary>
public sealed class SetRetryReplanTests
{
    [Fact]
    public async Task SetAsync_KindChangedByAnotherAdminDuringTheWrite_IsRefusedAsAConcurrencyConflict()
    {
        var inner = new InMemoryCredentialRepository();
        var racer = new ChangeBeforeFirstUpdate(inner);
        var store = Some.Store(racer);
        var other = Some.Store(inner);
        await store.SetAsync(The.CompanyId, The.DirectCredentials, The.AdminWithMfa);

        // Admin B switches the company to an API key at another host while admin A's update is being written.
        racer.Before = () => other.SetAsync(
            The.CompanyId,
            new CredentialUpdate { Kind = ApiKeyKind.KindName }.WithSecret(ApiKeyKind.ApiKey, new SecretValue(The.ApiKey)).WithSetting(ApiKeyKind.ApiEndpoint, The.AspEndpoint),
            The.AdminWithMfa);

        // Admin A adds a secret header, approved for the OAuth destination.
        var act = () => store.SetAsync(The.CompanyId, new CredentialUpdate().WithSecret("header.x-foo", new SecretValue("for-the-oauth-api")), The.AdminWithMfa);

        await act.Should().ThrowAsync<CredentialConcurrencyException>();
        var stored = (await inner.GetAsync(The.CompanyId))!;
        stored.Kind.Should().Be(ApiKeyKind.KindName);
        stored.Secrets.Keys.Should().NotContain("header.x-foo", "a secret approved for one destination never lands on another");
    }

    private sealed class ChangeBeforeFirstUpdate(ICredentialRepository inner) : DelegatingCredentialRepository(inner)
    {
        private int _fired;

        public Func<Task>? Before { get; set; }

        public override async Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        {
            if (Before is { } before && Interlocked.Exchange(ref _fired, 1) == 0)
            {
                await before();
            }

            return await base.UpdateAsync(credential, expectedRowVersion, audit, cancellationToken);
        }
    }
}
