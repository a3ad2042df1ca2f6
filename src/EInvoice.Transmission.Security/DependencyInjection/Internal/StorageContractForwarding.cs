using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Serves <see cref="IAuditTrailRepository"/> and <see cref="ITokenLeaseRepository"/> from the registered
/// <see cref="ICredentialRepository"/> when the host registered none of its own: one storage instance usually implements
/// all three, and a host that registers only its credential repository keeps working.
/// </summary>
internal static class StorageContractForwarding
{
    public static IAuditTrailRepository AuditTrail(IServiceProvider services) => Forward<IAuditTrailRepository>(services);

    public static ITokenLeaseRepository TokenLease(IServiceProvider services) => Forward<ITokenLeaseRepository>(services);

    public static IReminderClaimRepository ReminderClaims(IServiceProvider services) => Forward<IReminderClaimRepository>(services);

    public static string MissingContractMessage(Type contract, Type repository)
        => $"The registered {nameof(ICredentialRepository)} ({repository.FullName}) does not implement {contract.Name}, and no " +
           $"{contract.Name} is registered. Implement {contract.Name} on the same class (recommended: it shares the " +
           $"credential storage), or register an {contract.Name} of its own.";

    private static T Forward<T>(IServiceProvider services)
        where T : class
    {
        var repository = services.GetService<ICredentialRepository>()
            ?? throw new InvalidOperationException(StorageRegistrationValidator.NoRepositoryMessage);
        return repository as T ?? throw new StorageContractMissingException(MissingContractMessage(typeof(T), repository.GetType()));
    }
}
