using System.Data.Common;
using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses Dapper storage (SQLite or PostgreSQL) on the builder returned by <c>AddEInvoiceTransmission</c>.</summary>
public static class DapperEInvoiceTransmissionBuilderExtensions
{
    /// <summary>Stores credentials in a SQLite database: the embedded default, one file and no server.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, such as <c>Data Source=einvoice-credentials.db</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <remarks>Replaces any repository chosen before: the last <c>Use…</c> call wins.</remarks>
    public static IEInvoiceTransmissionBuilder UseSqlite(this IEInvoiceTransmissionBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseDataSource(_ => SqliteFactory.Instance.CreateDataSource(connectionString));
    }

    /// <summary>Stores credentials in a PostgreSQL database.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    /// <remarks>Replaces any repository chosen before: the last <c>Use…</c> call wins.</remarks>
    public static IEInvoiceTransmissionBuilder UsePostgreSql(this IEInvoiceTransmissionBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseDataSource(_ => NpgsqlDataSource.Create(connectionString));
    }

    /// <summary>Stores credentials through a data source the host created (SQLite or PostgreSQL).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source; the host owns and disposes it.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>Replaces any repository chosen before: the last <c>Use…</c> call wins.</remarks>
    public static IEInvoiceTransmissionBuilder UseDbDataSource(this IEInvoiceTransmissionBuilder builder, DbDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UseRepository(sp => CreateRepository(sp, dataSource));
    }

    /// <summary>
    /// Stores credentials through the <see cref="DbDataSource"/> registered in the container: the one keyed
    /// <see cref="EInvoiceTransmissionDefaults.DataSourceKey"/> if there is one, otherwise the unkeyed one. Register a
    /// keyed data source to keep credentials apart from the application's own database.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder UseDbDataSource(this IEInvoiceTransmissionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseRepository(sp => CreateRepository(
            sp,
            sp.GetKeyedService<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey)
                ?? sp.GetService<DbDataSource>()
                ?? throw new InvalidOperationException(
                    $"UseDbDataSource() found no DbDataSource: register one keyed '{EInvoiceTransmissionDefaults.DataSourceKey}' " +
                    "(services.AddKeyedSingleton<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey, ...)) or an unkeyed one.")));
    }

    /// <summary>Registers a data source the library creates and owns (the container disposes it), keyed so it is never the app's.</summary>
    private static IEInvoiceTransmissionBuilder UseDataSource(this IEInvoiceTransmissionBuilder builder, Func<IServiceProvider, DbDataSource> create)
    {
        builder.Services.RemoveAllKeyed<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey);
        builder.Services.AddKeyedSingleton(EInvoiceTransmissionDefaults.DataSourceKey, (sp, _) => create(sp));
        return builder.UseRepository(sp => CreateRepository(sp, sp.GetRequiredKeyedService<DbDataSource>(EInvoiceTransmissionDefaults.DataSourceKey)));
    }

    /// <summary>
    /// Registers one repository as the <see cref="ICredentialRepository"/>, the <see cref="IAuditTrailRepository"/> and the
    /// <see cref="ITokenLeaseRepository"/>, replacing any chosen before.
    /// </summary>
    private static IEInvoiceTransmissionBuilder UseRepository(this IEInvoiceTransmissionBuilder builder, Func<IServiceProvider, DapperCredentialRepository> create)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton<ICredentialRepository>(create));
        builder.Services.Replace(ServiceDescriptor.Singleton(Forward<IAuditTrailRepository>));
        builder.Services.Replace(ServiceDescriptor.Singleton(Forward<ITokenLeaseRepository>));
        return builder;
    }

    /// <summary>The same singleton as the <see cref="ICredentialRepository"/>, unless the host replaced that one since.</summary>
    private static T Forward<T>(IServiceProvider services)
        where T : class
    {
        var repository = services.GetRequiredService<ICredentialRepository>();
        return repository as T ?? throw new InvalidOperationException(
            $"The registered {nameof(ICredentialRepository)} ({repository.GetType().FullName}) replaced the Dapper repository " +
            $"after a Use… call, and does not implement {typeof(T).Name}. Implement it on the same class, or register an {typeof(T).Name}.");
    }

    private static DapperCredentialRepository CreateRepository(IServiceProvider services, DbDataSource dataSource)
        => new(dataSource, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<DapperCredentialRepository>>());
}
