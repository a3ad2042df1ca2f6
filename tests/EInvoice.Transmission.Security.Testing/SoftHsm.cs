using System.Diagnostics;
using System.Runtime.InteropServices;
using EInvoice.Transmission.Security.Pkcs11;
using EInvoice.Transmission.Security.Pkcs11.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>
/// A throwaway SoftHSM2 token for the whole test run: SOFTHSM2_CONF points at a temporary directory, the token is made
/// with <c>softhsm2-util --init-token --free</c>, and its AES-256 key is generated through PKCS#11 with
/// CKA_EXTRACTABLE=false and CKA_SENSITIVE=true. Without SoftHSM2 (a fresh clone) the tests skip with a message; under
/// CI (CI=true), where .ci/run installs it, a missing SoftHSM2 fails them.
/// </summary>
public static partial class SoftHsm
{
    public const string TokenLabel = "einvoice-ci";
    public const string UserPin = "4711-ci-user";
    public const string KeyLabel = "einvoice-kek-ci";
    public const string KeyId = "hsm_ci";

    private const string SoPin = "4711-ci-so";
    private const string HowToGetIt = "Install SoftHSM2 (Debian: apt-get install -y softhsm2) to run the PKCS#11 tests; .ci/run does.";

    private static readonly string[] LibraryPaths =
    [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ];

    private static readonly Lazy<(string? Library, string? Problem)> Token = new(Create);

    public static string LibraryPath => Token.Value.Library!;

    /// <summary>Skips the calling test (or fails it under CI) when SoftHSM2 is not installed.</summary>
    public static void Require()
    {
        var (library, problem) = Token.Value;
        if (library is not null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"CI=true but the SoftHSM2 token cannot be made: {problem}. {HowToGetIt}");
        }

        Skip.If(true, $"Skipped: {problem}. {HowToGetIt}");
    }

    /// <summary>The options of the CI token's key, with <paramref name="mechanism"/>.</summary>
    public static Pkcs11KeyCustodyOptions Options(Pkcs11WrapMechanism mechanism = Pkcs11WrapMechanism.Auto) => new()
    {
        LibraryPath = LibraryPath,
        TokenLabel = TokenLabel,
        UserPin = UserPin,
        KeyLabel = KeyLabel,
        KeyId = KeyId,
        Mechanism = mechanism,
    };

    /// <summary>A PKCS#11 custodian of the CI key; dispose it (it is an <see cref="IDisposable"/>) when done.</summary>
    public static IKeyWrapper Wrapper(Pkcs11WrapMechanism mechanism = Pkcs11WrapMechanism.Auto)
        => new Pkcs11KeyWrapper(Microsoft.Extensions.Options.Options.Create(Options(mechanism)), NullLogger<Pkcs11KeyWrapper>.Instance);

    /// <summary>Runs <paramref name="action"/> in a logged-in read-write session of the CI token (its own, not the wrapper's).</summary>
    public static T WithSession<T>(Func<ISession, IObjectHandle, T> action) => WithSession((session, key, _) => action(session, key));

    /// <summary><see cref="WithSession{T}(Func{ISession, IObjectHandle, T})"/> with the token's slot.</summary>
    public static T WithSession<T>(Func<ISession, IObjectHandle, ISlot, T> action)
    {
        var library = Pkcs11Modules.Acquire(LibraryPath);
        try
        {
            var slot = FindSlot(library, TokenLabel)!;
            using var session = slot.OpenSession(SessionType.ReadWrite);
            try
            {
                session.Login(CKU.CKU_USER, UserPin);
            }
            catch (Pkcs11Exception ex) when (ex.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
            }

            var key = session.FindAllObjects([session.Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, KeyLabel)]).Single();
            return action(session, key, slot);
        }
        finally
        {
            Pkcs11Modules.Release(LibraryPath);
        }
    }

    /// <summary>Makes another token with the CI key on it, after the module was initialised (a token that "comes back").</summary>
    public static void AddToken(string label)
    {
        // Made by softhsm2-util, not through this process's module, so that the custodian under test is the module's only
        // user. The key is imported (--aes): non-extractability is shown on the CI token; this one shows a token arriving.
        var conf = Environment.GetEnvironmentVariable("SOFTHSM2_CONF")!;
        var keyFile = Path.Combine(Path.GetDirectoryName(conf)!, label + ".key");
        // 32 letters and digits: softhsm2-util reads the file as text and would stop at a NUL or newline among random bytes.
        File.WriteAllText(keyFile, System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32));
        try
        {
            RunUtil(conf, "--init-token", "--free", "--label", label, "--pin", UserPin, "--so-pin", SoPin).Should().BeNull();
            RunUtil(conf, "--import", keyFile, "--aes", "--token", label, "--label", KeyLabel, "--id", "1301", "--pin", UserPin).Should().BeNull();
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    /// <summary>Closes every session the process has on the CI token, as a token that drops its sessions would.</summary>
    public static void CloseAllSessions()
    {
        var pkcs11 = Pkcs11Modules.Acquire(LibraryPath);
        try
        {
            FindSlot(pkcs11, TokenLabel)!.CloseAllSessions();
        }
        finally
        {
            Pkcs11Modules.Release(LibraryPath);
        }
    }

    public static ISlot? FindSlot(IPkcs11Library library, string label)
        => library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == label);

    private static (string?, string?) Create()
    {
        var library = LibraryPaths.FirstOrDefault(File.Exists);
        if (library is null)
        {
            return (null, "the SoftHSM2 module (libsofthsm2.so) is not installed");
        }

        var directory = Directory.CreateTempSubdirectory("einvoice-softhsm-");
        var tokens = Directory.CreateDirectory(Path.Combine(directory.FullName, "tokens"));
        var conf = Path.Combine(directory.FullName, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {tokens.FullName}\nobjectstore.backend = file\nlog.level = ERROR\n");

        // Read by the module (native getenv) when it is initialised, which is after this: every module user in the process
        // shares it. Environment.SetEnvironmentVariable changes only .NET's copy of the environment, so libc's setenv too.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        if (NativeMethods.setenv("SOFTHSM2_CONF", conf, 1) != 0)
        {
            return (null, "SOFTHSM2_CONF cannot be set in the process environment");
        }

        var init = RunUtil(conf, "--init-token", "--free", "--label", TokenLabel, "--pin", UserPin, "--so-pin", SoPin);
        if (init is not null)
        {
            return (null, init);
        }

        var pkcs11 = Pkcs11Modules.Acquire(library);
        try
        {
            var slot = FindSlot(pkcs11, TokenLabel) ?? throw new InvalidOperationException("The token just made is not listed.");
            using var session = slot.OpenSession(SessionType.ReadWrite);
            session.Login(CKU.CKU_USER, UserPin);
            GenerateKey(session);
            session.Logout();
        }
        finally
        {
            Pkcs11Modules.Release(library);
        }

        return (library, null);
    }

    private static void GenerateKey(ISession session)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        using var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
        session.GenerateKey(mechanism,
        [
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, true),
            attributes.Create(CKA.CKA_LABEL, KeyLabel),
            attributes.Create(CKA.CKA_ID, new byte[] { 0x13, 0x01 }),
            attributes.Create(CKA.CKA_ENCRYPT, true),
            attributes.Create(CKA.CKA_DECRYPT, true),
            attributes.Create(CKA.CKA_WRAP, true),
            attributes.Create(CKA.CKA_UNWRAP, true),
            attributes.Create(CKA.CKA_EXTRACTABLE, false),
            attributes.Create(CKA.CKA_SENSITIVE, true),
        ]);
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int setenv(string name, string value, int overwrite);
    }

    /// <summary>Runs softhsm2-util; returns why it could not, or <see langword="null"/>.</summary>
    public static string? RunUtil(string conf, params string[] arguments)
    {
        var start = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["SOFTHSM2_CONF"] = conf;
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"softhsm2-util {arguments[0]} failed: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"softhsm2-util cannot be run ({ex.Message})";
        }
    }
}
