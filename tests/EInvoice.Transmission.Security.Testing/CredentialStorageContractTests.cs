using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// The behaviour every storage must have — <see cref="ICredentialRepository"/>, <see cref="IAuditTrailRepository"/> and
/// <see cref="ITokenLeaseRepository"/>, implemented by one class over one storage — run against each implementation by a derived
/// class (Dapper's TestBase idea): in-memory, SQLite and PostgreSQL. Each test gets fresh, empty storage.
/// </summary>
public abstract partial class CredentialStorageContractTests : IAsyncLifetime
{
    private CredentialStore? _store;
    private TokenPathGateway? _gateway;

    protected CredentialStorageContractTests()
    {
        Clock = Some.Clock();
        Mfa = new TestMfaVerifier(Clock);
        Logs = new FakeLogCollector();
    }

    protected ICredentialRepository Repository { get; private set; } = null!;

    /// <summary>The same storage as <see cref="Repository"/>, as the audit trail.</summary>
    protected IAuditTrailRepository AuditTrail { get; private set; } = null!;

    /// <summary>The same storage as <see cref="Repository"/>, as the token lease.</summary>
    protected ITokenLeaseRepository Leases { get; private set; } = null!;

    protected FakeTimeProvider Clock { get; }

    protected TestMfaVerifier Mfa { get; }

    protected FakeLogCollector Logs { get; }

    /// <summary>A store over <see cref="Repository"/> with the original key, the test clock and MFA verifier.</summary>
    protected CredentialStore Store => _store ??= CreateStore(Some.Vault());

    /// <summary>The token path's gateway over the same storage, key, clock and logs as <see cref="Store"/>.</summary>
    private TokenPathGateway Gateway => _gateway ??= CreateGateway(Some.Vault());

    public async Task InitializeAsync()
    {
        Repository = await CreateRepositoryAsync();
        AuditTrail = Some.AlsoAs<IAuditTrailRepository>(Repository);
        Leases = Some.AlsoAs<ITokenLeaseRepository>(Repository);
    }

    public Task DisposeAsync() => DisposeStorageAsync();

    /// <summary>Creates a repository over fresh, empty storage; it implements all three storage contracts.</summary>
    protected abstract Task<ICredentialRepository> CreateRepositoryAsync();

    protected virtual Task DisposeStorageAsync() => Task.CompletedTask;

    /// <summary>Everything in storage as text, the way someone with a copy of it would read it: blobs decoded as UTF-8.</summary>
    protected abstract Task<string> ReadRawStorageAsync();

    /// <summary>Changes the audit trail behind the repository's back, as someone with write access to storage could.</summary>
    protected abstract Task TamperWithAuditAsync(AuditTampering tampering, long sequence);

    /// <summary>Replaces the whole audit trail and its head (the last entry) behind the repository's back.</summary>
    protected abstract Task ReplaceAuditTrailAsync(IReadOnlyList<AuditEntry> entries);

    protected CredentialStore CreateStore(CredentialVault vault, CredentialStoreOptions? options = null)
        => Some.Store(Repository, Clock, vault, Mfa, options, new FakeLogger<CredentialStore>(Logs));

    private TokenPathGateway CreateGateway(CredentialVault vault)
        => Some.Gateway(Repository, Clock, vault, new FakeLogger<CredentialStore>(Logs));

    /// <summary>Renders a value of a raw row: text as it is, bytes both as UTF-8 and as Base64.</summary>
    protected static string RenderRaw(object? value) => InMemoryStorage.Render(value);

    protected async Task<List<AuditEntry>> ReadWholeAuditAsync()
    {
        var all = new List<AuditEntry>();
        while (true)
        {
            var page = await AuditTrail.ReadAuditAsync(all.Count == 0 ? 0 : all[^1].Sequence, 1000);
            all.AddRange(page);
            if (page.Count < 1000)
            {
                return all;
            }
        }
    }

    protected static StoredCredential Row(string companyId, long version = 1, byte[]? clientSecret = null) => new()
    {
        CompanyId = companyId,
        Kind = OAuthClientCredentialsKind.KindName,
        Environment = "Production",
        Settings = new Dictionary<string, string>
        {
            [OAuthClientCredentialsKind.ClientId] = "client",
            [OAuthClientCredentialsKind.TokenEndpoint] = The.TokenEndpoint.AbsoluteUri,
            [OAuthClientCredentialsKind.ApiEndpoint] = The.ApiEndpoint.AbsoluteUri,
        },
        Secrets = new Dictionary<string, byte[]> { [OAuthClientCredentialsKind.ClientSecret] = clientSecret ?? [1, 2, 3] },
        ConfiguredAt = The.Now,
        ConfiguredBy = The.Admin,
        Version = version,
        RowVersion = version,
    };

    protected static AuditEvent Event(string? companyId = The.CompanyId, string actor = The.Admin) => new()
    {
        Timestamp = The.Now,
        CompanyId = companyId,
        Action = AuditAction.CredentialsUpdated,
        Actor = actor,
        Outcome = AuditOutcome.Succeeded,
        Fields = ["api_endpoint"],
        MfaMethod = "totp",

        // What CredentialStore attaches: entries are authenticated with a key derived from the ring.
        Key = Some.Vault().CreateAuditKey(),
    };
}

/// <summary>Ways someone with write access to storage could change the audit trail.</summary>
public enum AuditTampering
{
    /// <summary>Change the actor of an entry.</summary>
    ChangeActor,

    /// <summary>Replace an entry's stored hash.</summary>
    ChangeHash,

    /// <summary>Remove an entry.</summary>
    Delete,

    /// <summary>Swap the content of an entry with the next one, keeping their sequence numbers.</summary>
    SwapWithNext,
}
