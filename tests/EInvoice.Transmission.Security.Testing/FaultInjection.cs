namespace EInvoice.Transmission.Security.Testing;

/// <summary>When, relative to a write, an injected storage fault strikes.</summary>
public enum Fault
{
    /// <summary>The write statement (or call) fails before anything is written.</summary>
    BeforeWrite,

    /// <summary>Inside the transaction: the credential row is written, then the audit insert fails.</summary>
    DuringWrite,

    /// <summary>Every statement ran; the commit fails, so the transaction rolls back.</summary>
    AtCommit,

    /// <summary>The commit succeeded, then the caller is told it failed (an ambiguous outcome, as on a lost connection).</summary>
    AfterCommit,
}

/// <summary>Which write a fault strikes.</summary>
public enum FaultTarget
{
    /// <summary>A write of a credential row (insert, update, delete), with its audit entry.</summary>
    CredentialWrite,

    /// <summary>An audit entry appended on its own (a refused change, the end of a rotation).</summary>
    AuditAppend,
}

/// <summary>The exception injected faults throw; nothing in the library catches it specially.</summary>
public sealed class InjectedFaultException : Exception
{
    public InjectedFaultException()
        : base("Injected storage fault.")
    {
    }

    public InjectedFaultException(string message)
        : base(message)
    {
    }

    public InjectedFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A single-shot fault: armed for a kind, a target and how many matching writes to let through first.</summary>
public sealed class FaultPlan
{
    private readonly Lock _gate = new();
    private Fault? _fault;
    private FaultTarget _target;
    private int _remainingSkips;

    public int Fired { get; private set; }

    public void Arm(Fault fault, FaultTarget target, int skip = 0)
    {
        lock (_gate)
        {
            (_fault, _target, _remainingSkips) = (fault, target, skip);
        }
    }

    public void Disarm()
    {
        lock (_gate)
        {
            _fault = null;
        }
    }

    /// <summary>Whether a write of <paramref name="target"/> at <paramref name="point"/> fails now (and disarms the plan).</summary>
    public bool ShouldFail(Fault point, FaultTarget target)
    {
        lock (_gate)
        {
            if (_fault != point || _target != target)
            {
                return false;
            }

            if (_remainingSkips-- > 0)
            {
                return false;
            }

            _fault = null;
            Fired++;
            return true;
        }
    }

    public void FailIf(Fault point, FaultTarget target)
    {
        if (ShouldFail(point, target))
        {
            throw new InjectedFaultException($"Injected storage fault: {point} of {target}.");
        }
    }
}

/// <summary>
/// Passes every call to another repository, under all three storage contracts; a test overrides the calls it wants to
/// intercept.
/// </summary>
public abstract class DelegatingCredentialRepository(ICredentialRepository inner) : ICredentialRepository, IAuditTrailRepository, ITokenLeaseRepository
{
    private readonly IAuditTrailRepository _auditTrail = Some.AlsoAs<IAuditTrailRepository>(inner);
    private readonly ITokenLeaseRepository _leases = Some.AlsoAs<ITokenLeaseRepository>(inner);

    public virtual Task<StoredCredential?> GetAsync(string companyId, CancellationToken cancellationToken = default) => inner.GetAsync(companyId, cancellationToken);

    public virtual Task<IReadOnlyList<StoredCredential>> ListAsync(string? afterCompanyId, int limit, CancellationToken cancellationToken = default)
        => inner.ListAsync(afterCompanyId, limit, cancellationToken);

    public virtual Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default)
        => inner.InsertAsync(credential, audit, cancellationToken);

    public virtual Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        => inner.UpdateAsync(credential, expectedRowVersion, audit, cancellationToken);

    public virtual Task<IReadOnlyCollection<string>> UpdateManyAsync(IReadOnlyList<CredentialRowUpdate> updates, CancellationToken cancellationToken = default)
        => inner.UpdateManyAsync(updates, cancellationToken);

    public virtual Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        => inner.DeleteAsync(companyId, expectedRowVersion, audit, cancellationToken);

    public virtual Task<AuditEntry> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default) => _auditTrail.AppendAuditAsync(audit, cancellationToken);

    public virtual Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long afterSequence, int limit, CancellationToken cancellationToken = default)
        => _auditTrail.ReadAuditAsync(afterSequence, limit, cancellationToken);

    public virtual Task<AuditHead?> GetAuditHeadAsync(CancellationToken cancellationToken = default) => _auditTrail.GetAuditHeadAsync(cancellationToken);

    public virtual Task<StoredCredential?> TryAcquireLeaseAsync(string companyId, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        => _leases.TryAcquireLeaseAsync(companyId, owner, now, expiresAt, cancellationToken);

    public virtual Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default)
        => _leases.SaveTokensAsync(companyId, version, tokens, releaseLeaseOf, cancellationToken);

    public virtual Task ReleaseLeaseAsync(string companyId, string owner, CancellationToken cancellationToken = default)
        => _leases.ReleaseLeaseAsync(companyId, owner, cancellationToken);
}

/// <summary>
/// An in-memory repository that fails on command: before a write, or after it (the write happened, the caller hears it
/// failed). In-memory writes are atomic, so there is no "during" or "at commit" for it.
/// </summary>
public sealed class FaultyInMemoryRepository(FaultPlan plan) : DelegatingCredentialRepository(new InMemoryCredentialRepository())
{
    public override Task<bool> InsertAsync(StoredCredential credential, AuditEvent? audit, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.CredentialWrite, () => base.InsertAsync(credential, audit, cancellationToken));

    public override Task<bool> UpdateAsync(StoredCredential credential, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.CredentialWrite, () => base.UpdateAsync(credential, expectedRowVersion, audit, cancellationToken));

    /// <summary>A batch is one write here, as it is one transaction in a database.</summary>
    public override Task<IReadOnlyCollection<string>> UpdateManyAsync(IReadOnlyList<CredentialRowUpdate> updates, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.CredentialWrite, () => base.UpdateManyAsync(updates, cancellationToken));

    public override Task<bool> DeleteAsync(string companyId, long expectedRowVersion, AuditEvent? audit, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.CredentialWrite, () => base.DeleteAsync(companyId, expectedRowVersion, audit, cancellationToken));

    public override Task<AuditEntry> AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.AuditAppend, () => base.AppendAuditAsync(audit, cancellationToken));

    public override Task<bool> SaveTokensAsync(string companyId, long version, TokenUpdate tokens, string? releaseLeaseOf, CancellationToken cancellationToken = default)
        => WriteAsync(FaultTarget.CredentialWrite, () => base.SaveTokensAsync(companyId, version, tokens, releaseLeaseOf, cancellationToken));

    private async Task<T> WriteAsync<T>(FaultTarget target, Func<Task<T>> write)
    {
        plan.FailIf(Fault.BeforeWrite, target);
        var result = await write();
        plan.FailIf(Fault.AfterCommit, target);
        return result;
    }
}
