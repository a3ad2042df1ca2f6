using System.Diagnostics.CodeAnalysis;
using EInvoice.Transmission.Security;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses storage and options on the builder returned by <c>AddEInvoiceTransmission</c>.</summary>
public static class EInvoiceTransmissionBuilderExtensions
{
    /// <summary>
    /// Keeps credentials, the audit trail and the token leases in process memory. For tests, samples and development
    /// only: everything is lost when the process ends.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Registers one <see cref="InMemoryCredentialRepository"/> as the <see cref="ICredentialRepository"/>, the
    /// <see cref="IAuditTrailRepository"/> and the <see cref="ITokenLeaseRepository"/>. Replaces any repository chosen
    /// before: the last <c>Use…</c> call wins.
    /// </remarks>
    public static IEInvoiceTransmissionBuilder UseInMemoryCredentialRepository(this IEInvoiceTransmissionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ICredentialRepository, InMemoryCredentialRepository>());
        builder.Services.Replace(ServiceDescriptor.Singleton(StorageContractForwarding.AuditTrail));
        builder.Services.Replace(ServiceDescriptor.Singleton(StorageContractForwarding.TokenLease));
        return builder;
    }

    /// <summary>Configures the credential store: MFA window, http on loopback, rotation batch size.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder ConfigureCredentialStore(this IEInvoiceTransmissionBuilder builder, Action<CredentialStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures token handling: refresh buffer, scope, client authentication, timeouts, backoff, ASP headers.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder ConfigureOAuth(this IEInvoiceTransmissionBuilder builder, Action<OAuthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Registers a host's own <see cref="CredentialKind"/>, created by dependency injection as a singleton. Its
    /// credentials are stored, sealed, rotated, audited and attached to requests like those of the built-in kinds.
    /// </summary>
    /// <typeparam name="TKind">The kind.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Kind names must be unique: a second kind with a name already registered fails when the store is created.</remarks>
    public static IEInvoiceTransmissionBuilder AddCredentialKind<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TKind>(this IEInvoiceTransmissionBuilder builder)
        where TKind : CredentialKind
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<CredentialKind, TKind>());
        return builder;
    }

    /// <summary>Registers an instance of a host's own <see cref="CredentialKind"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="kind">The kind; it must be thread-safe.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IEInvoiceTransmissionBuilder AddCredentialKind(this IEInvoiceTransmissionBuilder builder, CredentialKind kind)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(kind);
        builder.Services.AddSingleton(kind);
        return builder;
    }
}
