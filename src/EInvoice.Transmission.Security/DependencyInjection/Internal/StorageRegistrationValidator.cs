using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Fails start-up when no <see cref="ICredentialRepository"/> was chosen: a security library never falls back to
/// in-memory storage on its own. Also fails it when the audit trail or the token lease has no storage: the host
/// registered its own <see cref="ICredentialRepository"/>, which does not implement <see cref="IAuditTrailRepository"/>
/// or <see cref="ITokenLeaseRepository"/>, and registered no implementation of it either.
/// </summary>
internal sealed class StorageRegistrationValidator(IServiceProvider services) : IValidateOptions<CredentialStoreOptions>
{
    public const string NoRepositoryMessage =
        "No credential repository is registered. Choose where credentials are stored on the builder returned by " +
        "AddEInvoiceTransmission(): UseSqlite(connectionString), UsePostgreSql(connectionString) or " +
        "UseDbDataSource(dataSource) from the EInvoice.Transmission.Security.Dapper package, or " +
        "UseInMemoryCredentialRepository() for tests and samples.";

    public ValidateOptionsResult Validate(string? name, CredentialStoreOptions options)
    {
        if (services.GetService<IServiceProviderIsService>()?.IsService(typeof(ICredentialRepository)) == false)
        {
            return ValidateOptionsResult.Fail(NoRepositoryMessage);
        }

        // Unless the host registered its own, the two resolve to the credential repository, which must implement them.
        var missing = new List<string>();
        try
        {
            services.GetService<IAuditTrailRepository>();
        }
        catch (StorageContractMissingException exception)
        {
            missing.Add(exception.Message);
        }

        try
        {
            services.GetService<ITokenLeaseRepository>();
        }
        catch (StorageContractMissingException exception)
        {
            missing.Add(exception.Message);
        }

        return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
    }
}
