using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>
/// The library as a host builds it: configuration from <c>--config</c>'s file and the environment, the public
/// <c>AddEInvoiceTransmission</c> entry point, the Dapper storage registration, and the start-up validation a
/// Generic Host would run. No IMfaVerifier is registered, so nothing this tool runs can change a company's credentials.
/// </summary>
internal sealed class ToolHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ToolHost(ServiceProvider services, StorageChoice storage)
    {
        _services = services;
        Storage = storage;
    }

    public StorageChoice Storage { get; }

    public IServiceProvider Services => _services;

    public CredentialStore Store => _services.GetRequiredService<CredentialStore>();

    /// <summary>Builds the host and validates its options.</summary>
    /// <param name="context">Where the environment comes from.</param>
    /// <param name="options">The global options.</param>
    /// <param name="needsKeyRing">False for commands that never open an envelope (<c>migrate</c>): they run without a key ring.</param>
    /// <param name="mustExist">Refuse a SQLite file that does not exist, rather than create an empty database by mistake.</param>
    /// <param name="configure">More configuration of the library (the rotation's batch size).</param>
    /// <exception cref="ToolException">The configuration is incomplete or wrong.</exception>
    public static ToolHost Create(ToolContext context, GlobalOptions.Values options, bool needsKeyRing = true, bool mustExist = true, Action<IEInvoiceTransmissionBuilder>? configure = null)
    {
        var configuration = BuildConfiguration(context, options.ConfigFile);
        var storage = StorageChoice.Resolve(configuration, options.Sqlite, options.Postgres);
        if (mustExist && storage.SqliteFile is { } file && !File.Exists(file))
        {
            throw new ToolException($"No database at {file}. Check the path, or create it with 'eits migrate --sqlite {file}'.");
        }

        var services = new ServiceCollection();

        // No logging provider: the library's events never hold a secret, but the tool reports what matters itself and
        // keeps standard output for results.
        services.AddLogging();
        services.AddSingleton(context.TimeProvider);
        var builder = services.AddEInvoiceTransmission(configuration.GetSection(EInvoiceTransmissionDefaults.ConfigurationSectionName));
        storage.Apply(builder);
        configure?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        if (needsKeyRing)
        {
            try
            {
                // What a Generic Host runs at start: a missing or malformed key is named here, before any work.
                provider.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (OptionsValidationException ex)
            {
                provider.Dispose();
                throw new ToolException($"The configuration is not valid: {ex.Message}", ex);
            }
        }

        return new ToolHost(provider, storage);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private static IConfiguration BuildConfiguration(ToolContext context, FileInfo? configFile)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            if (!configFile.Exists)
            {
                throw new ToolException($"No configuration file at {configFile.FullName}.");
            }

            builder.AddJsonFile(configFile.FullName, optional: false, reloadOnChange: false);
        }

        context.AddEnvironment(builder);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new ToolException($"The configuration file cannot be read: {ex.Message}", ex);
        }
    }
}
