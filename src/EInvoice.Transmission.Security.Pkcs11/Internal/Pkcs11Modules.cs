using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace EInvoice.Transmission.Security.Pkcs11.Internal;

/// <summary>
/// One loaded PKCS#11 module per path, shared by every user in the process: a module is initialised once per process
/// (<c>C_Initialize</c> a second time fails with <c>CKR_CRYPTOKI_ALREADY_INITIALIZED</c>), and finalised when its last
/// user releases it.
/// </summary>
internal static class Pkcs11Modules
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (IPkcs11Library Library, int Users)> Loaded = new(StringComparer.Ordinal);

    static Pkcs11Modules()
    {
        // Pkcs11Interop loads modules through dlopen from "libdl". Since glibc 2.34 that lives in libc, and distributions
        // ship only libdl.so.2 unless the C development files are installed: point the name at the versioned file.
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, static (name, assembly, path) =>
                name == "libdl" && OperatingSystem.IsLinux()
                    && (NativeLibrary.TryLoad("libdl.so.2", out var handle) || NativeLibrary.TryLoad("libc.so.6", out handle))
                    ? handle
                    : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // The host set its own resolver for Pkcs11Interop: it decides.
        }
    }

    public static IPkcs11Library Acquire(string path)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(path, out var entry))
            {
                Loaded[path] = (entry.Library, entry.Users + 1);
                return entry.Library;
            }

            var factories = new Pkcs11InteropFactories();
            var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            Loaded[path] = (library, 1);
            return library;
        }
    }

    /// <summary>
    /// Finalises and initialises the module again when <paramref name="library"/> is its only user, so that a module
    /// that lists its tokens only at initialisation (SoftHSM2) sees a token that appeared since. Returns the module to use.
    /// </summary>
    public static IPkcs11Library Reload(string path, IPkcs11Library library)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(path, out var entry) || !ReferenceEquals(entry.Library, library) || entry.Users != 1)
            {
                return library;
            }

            entry.Library.Dispose();
            Loaded.Remove(path);
            var factories = new Pkcs11InteropFactories();
            var reloaded = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            Loaded[path] = (reloaded, 1);
            return reloaded;
        }
    }

    public static void Release(string path)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(path, out var entry))
            {
                return;
            }

            if (entry.Users > 1)
            {
                Loaded[path] = (entry.Library, entry.Users - 1);
                return;
            }

            Loaded.Remove(path);
            entry.Library.Dispose();
        }
    }
}
