using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>
/// Wraps a real data source so that a <see cref="FaultPlan"/> can fail a credential statement, the audit insert
/// inside the same transaction, the commit, or the answer after the commit: the steps a real database can fail at.
/// </summary>
internal sealed class FaultInjectingDataSource(DbDataSource inner, FaultPlan plan) : DbDataSource
{
    public override string ConnectionString => inner.ConnectionString;

    protected override DbConnection CreateDbConnection() => new Connection(inner.CreateConnection(), plan);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool IsCredentialWrite(string sql)
        => sql.TrimStart().StartsWith("INSERT INTO eits_credentials", StringComparison.Ordinal)
            || sql.TrimStart().StartsWith("UPDATE eits_credentials SET\n", StringComparison.Ordinal)
            || sql.TrimStart().StartsWith("UPDATE eits_credentials SET\r\n", StringComparison.Ordinal)
            || sql.TrimStart().StartsWith("DELETE FROM eits_credentials", StringComparison.Ordinal);

    private static bool IsAuditInsert(string sql) => sql.TrimStart().StartsWith("INSERT INTO eits_audit ", StringComparison.Ordinal);

    private sealed class Connection(DbConnection inner, FaultPlan plan) : DbConnection
    {
        [AllowNull]
        public override string ConnectionString
        {
            get => inner.ConnectionString;
            set => inner.ConnectionString = value;
        }

        public override string Database => inner.Database;

        public override string DataSource => inner.DataSource;

        public override string ServerVersion => inner.ServerVersion;

        public override ConnectionState State => inner.State;

        public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

        public override void Close() => inner.Close();

        public override void Open() => inner.Open();

        public override Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel)
            => new Transaction(inner.BeginTransaction(isolationLevel), this, plan);

        protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken)
            => new Transaction(await inner.BeginTransactionAsync(isolationLevel, cancellationToken), this, plan);

        protected override DbCommand CreateDbCommand() => new Command(inner.CreateCommand(), this, plan);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Transaction(DbTransaction inner, DbConnection connection, FaultPlan plan) : DbTransaction
    {
        public DbTransaction Inner => inner;

        /// <summary>Set when the transaction wrote a credential row, or appended audit on its own.</summary>
        public FaultTarget? Target { get; set; }

        public override IsolationLevel IsolationLevel => inner.IsolationLevel;

        protected override DbConnection DbConnection => connection;

        public override void Commit() => CommitAsync().GetAwaiter().GetResult();

        public override async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            if (Target is { } target)
            {
                plan.FailIf(Fault.AtCommit, target);
            }

            await inner.CommitAsync(cancellationToken);
            if (Target is { } committed)
            {
                plan.FailIf(Fault.AfterCommit, committed);
            }
        }

        public override void Rollback() => inner.Rollback();

        public override Task RollbackAsync(CancellationToken cancellationToken = default) => inner.RollbackAsync(cancellationToken);

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class Command(DbCommand inner, DbConnection connection, FaultPlan plan) : DbCommand
    {
        private Transaction? _transaction;

        [AllowNull]
        public override string CommandText
        {
            get => inner.CommandText;
            set => inner.CommandText = value;
        }

        public override int CommandTimeout
        {
            get => inner.CommandTimeout;
            set => inner.CommandTimeout = value;
        }

        public override CommandType CommandType
        {
            get => inner.CommandType;
            set => inner.CommandType = value;
        }

        public override bool DesignTimeVisible
        {
            get => inner.DesignTimeVisible;
            set => inner.DesignTimeVisible = value;
        }

        public override UpdateRowSource UpdatedRowSource
        {
            get => inner.UpdatedRowSource;
            set => inner.UpdatedRowSource = value;
        }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
            }
        }

        protected override DbParameterCollection DbParameterCollection => inner.Parameters;

        protected override DbTransaction? DbTransaction
        {
            get => _transaction;
            set
            {
                _transaction = (Transaction?)value;
                inner.Transaction = _transaction?.Inner;
            }
        }

        public override void Cancel() => inner.Cancel();

        public override int ExecuteNonQuery() => ExecuteNonQueryAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
        {
            BeforeExecute();
            var result = await inner.ExecuteNonQueryAsync(cancellationToken);
            if (_transaction is null && IsCredentialWrite(inner.CommandText))
            {
                // A statement outside a transaction commits by itself: the ambiguous outcome is a lost answer after it.
                plan.FailIf(Fault.AfterCommit, FaultTarget.CredentialWrite);
            }

            return result;
        }

        public override object? ExecuteScalar() => inner.ExecuteScalar();

        public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => inner.ExecuteScalarAsync(cancellationToken);

        public override void Prepare() => inner.Prepare();

        protected override DbParameter CreateDbParameter() => inner.CreateParameter();

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => inner.ExecuteReader(behavior);

        protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
            => inner.ExecuteReaderAsync(behavior, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Classifies the statement, marks the transaction, and fails it when the plan says so.</summary>
        private void BeforeExecute()
        {
            var sql = inner.CommandText;
            if (IsCredentialWrite(sql))
            {
                plan.FailIf(Fault.BeforeWrite, FaultTarget.CredentialWrite);
                _transaction?.Target = FaultTarget.CredentialWrite;
            }
            else if (IsAuditInsert(sql))
            {
                if (_transaction?.Target == FaultTarget.CredentialWrite)
                {
                    plan.FailIf(Fault.DuringWrite, FaultTarget.CredentialWrite);
                }
                else
                {
                    plan.FailIf(Fault.BeforeWrite, FaultTarget.AuditAppend);
                    _transaction?.Target = FaultTarget.AuditAppend;
                }
            }
        }
    }
}
