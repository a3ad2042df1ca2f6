using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Fails start-up when no <see cref="ICredentialRepository"/> was chosen: a security library never falls back to
/// in-memory storage on its own.
/// </summary>
internal sealed class StorageRegistrationValidator(IServiceProvider services) : IValidateOptions<CredentialStoreOptions>
{
    public const string NoRepositoryMessage =
        "No credential repository is registered. Choose where credentials are stored on the builder returned by " +
        "AddEInvoiceTransmission(): UseSqlite(connectionString), UsePostgreSql(connectionString) or " +
        "UseDbDataSource(dataSource) from the EInvoice.Transmission.Security.Dapper package, or " +
        "UseInMemoryCredentialRepository() for tests and samples.";

    public ValidateOptionsResult Validate(string? name, CredentialStoreOptions options)
        => services.GetService<IServiceProviderIsService>()?.IsService(typeof(ICredentialRepository)) == false
            ? ValidateOptionsResult.Fail(NoRepositoryMessage)
            : ValidateOptionsResult.Success;
}
