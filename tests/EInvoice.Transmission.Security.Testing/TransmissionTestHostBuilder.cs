using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>What differs from the default <see cref="TransmissionTestHost"/>; each method sets one thing, <see cref="Start"/> builds it.</summary>
public sealed class TransmissionTestHostBuilder
{
    internal ICredentialRepository? Repository { get; private set; }

    internal TimeProvider? TimeProvider { get; private set; }

    internal Action<OAuthOptions>? OAuthOptions { get; private set; }

    internal MockHttpMessageHandler? HttpHandler { get; private set; }

    internal TransmissionEnvironment? ClientEnvironment { get; private set; }

    internal Action<IServiceCollection>? ConfigureServices { get; private set; }

    internal Action<CredentialVaultOptions>? VaultOptions { get; private set; }

    /// <summary>Storage other than a fresh in-memory repository (one instance serves all three contracts).</summary>
    public TransmissionTestHostBuilder Storage(ICredentialRepository repository)
    {
        Repository = repository;
        return this;
    }

    /// <summary>Another clock than a fresh fake one at <see cref="The.Now"/>.</summary>
    public TransmissionTestHostBuilder Clock(TimeProvider clock)
    {
        TimeProvider = clock;
        return this;
    }

    /// <summary>Token handling options.</summary>
    public TransmissionTestHostBuilder OAuth(Action<OAuthOptions> configure)
    {
        OAuthOptions = configure;
        return this;
    }

    /// <summary>The MockHttp handler behind both the token client and the API client (shared between hosts, say).</summary>
    public TransmissionTestHostBuilder Http(MockHttpMessageHandler http)
    {
        HttpHandler = http;
        return this;
    }

    /// <summary>The environment the API client is for; Production by default.</summary>
    public TransmissionTestHostBuilder Environment(TransmissionEnvironment environment)
    {
        ClientEnvironment = environment;
        return this;
    }

    /// <summary>More registrations, applied after the library's.</summary>
    public TransmissionTestHostBuilder Services(Action<IServiceCollection> configure)
    {
        ConfigureServices = configure;
        return this;
    }

    /// <summary>Another key ring than the test key alone.</summary>
    public TransmissionTestHostBuilder Vault(Action<CredentialVaultOptions> configure)
    {
        VaultOptions = configure;
        return this;
    }

    /// <summary>Builds and validates the host.</summary>
    public TransmissionTestHost Start() => TransmissionTestHost.Start(this);
}
