using System.Security.Cryptography;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>Builds variations of <see cref="The"/> values.</summary>
public static class Some
{
    public static KeyEncryptionKeyRing KeyRing(string activeKeyId = The.KeyId, params (string Id, string Base64)[] keys)
    {
        if (keys.Length == 0)
        {
            keys = [(The.KeyId, The.Key)];
        }

        return new KeyEncryptionKeyRing(activeKeyId, keys.Select(k => new KeyValuePair<string, byte[]>(k.Id, Convert.FromBase64String(k.Base64))));
    }

    public static CredentialVault Vault(string activeKeyId = The.KeyId, params (string Id, string Base64)[] keys)
        => new(new FixedKeyProvider(KeyRing(activeKeyId, keys)));

    /// <summary>A vault whose ring holds the original key and the new one, the new one active.</summary>
    public static CredentialVault RotatedVault()
        => Vault(The.NewKeyId, (The.KeyId, The.Key), (The.NewKeyId, The.NewKey));

    /// <summary>A vault that knows only the new key: it opens an envelope only if rotation moved it.</summary>
    public static CredentialVault NewKeyOnlyVault() => Vault(The.NewKeyId, (The.NewKeyId, The.NewKey));

    public static byte[] Bytes(int length) => RandomNumberGenerator.GetBytes(length);

    public static FakeTimeProvider Clock() => new(The.Now);

    public static CredentialStore Store(
        ICredentialRepository repository,
        TimeProvider? timeProvider = null,
        CredentialVault? vault = null,
        IMfaVerifier? verifier = null,
        CredentialStoreOptions? options = null,
        ILogger<CredentialStore>? logger = null)
    {
        timeProvider ??= Clock();
        return new CredentialStore(
            repository,
            AlsoAs<IAuditTrailRepository>(repository),
            vault ?? Vault(),
            Kinds(),
            verifier ?? new TestMfaVerifier(timeProvider),
            Options.Create(options ?? new CredentialStoreOptions()),
            timeProvider,
            logger ?? NullLogger<CredentialStore>.Instance);
    }

    /// <summary>The token path's gateway over <paramref name="repository"/> (also its token lease), with the same defaults as <see cref="Store"/>.</summary>
    internal static TokenPathGateway Gateway(
        ICredentialRepository repository,
        TimeProvider? timeProvider = null,
        CredentialVault? vault = null,
        ILogger<CredentialStore>? logger = null)
        => new(repository, AlsoAs<ITokenLeaseRepository>(repository), AlsoAs<IAuditTrailRepository>(repository), new CredentialKindRegistry(Kinds()), vault ?? Vault(), timeProvider ?? Clock(), logger ?? NullLogger<CredentialStore>.Instance);

    /// <summary>Expiry reminders over <paramref name="store"/> and <paramref name="repository"/> (its reminder claims), as one host with its own name.</summary>
    public static CredentialExpiryReminders Reminders(
        CredentialStore store,
        ICredentialRepository repository,
        TimeProvider timeProvider,
        IEnumerable<ICredentialExpiryNotifier> notifiers,
        string hostName,
        Action<CredentialExpiryReminderOptions>? configure = null,
        ILogger<CredentialExpiryReminders>? logger = null,
        System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        var options = new CredentialExpiryReminderOptions { HostName = hostName };
        configure?.Invoke(options);
        return new(store, AlsoAs<IReminderClaimRepository>(repository), notifiers, Options.Create(options), timeProvider, new TransmissionTelemetry(meterFactory), logger ?? NullLogger<CredentialExpiryReminders>.Instance);
    }

    /// <summary>The built-in kinds with default options, and any <paramref name="extra"/> ones.</summary>
    public static IEnumerable<CredentialKind> Kinds(params CredentialKind[] extra)
        => [.. CredentialKindRegistry.BuiltIn(new OAuthOptions()), .. extra];

    /// <summary>The same storage under another of its contracts: every repository of the test kit implements all three.</summary>
    public static T AlsoAs<T>(ICredentialRepository repository)
        where T : class
        => repository as T ?? throw new ArgumentException($"{repository.GetType().Name} does not implement {typeof(T).Name}.", nameof(repository));

    public sealed class FixedKeyProvider(KeyEncryptionKeyRing ring) : IKeyEncryptionKeyProvider
    {
        public KeyEncryptionKeyRing GetKeyRing() => ring;
    }

    /// <summary>Reports synchronously, unlike <see cref="Progress{T}"/>, so tests can act on a report deterministically.</summary>
    public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
