namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// Sealed and internal by default (STYLE.md 6.2, issue #16): a public class is sealed or static unless it is a designed
/// extension point, and nothing in an <c>Internal</c> namespace is public.
/// </summary>
public sealed class PublicTypeConventionTests
{
    /// <summary>The public classes designed for inheritance, each with the reason. Anything else public is sealed or static.</summary>
    private static readonly Dictionary<Type, string> DesignedForInheritance = new()
    {
        [typeof(CredentialKind)] =
            "the extension point for a platform's authentication: a host derives its own kind, registers it with "
            + "AddCredentialKind<TKind>() and overrides Validate, GetApiEndpoint, AddHeaders and the token requests",
    };

    /// <summary>Where public types live: the assembly's root namespace, or the DI namespace for the extension classes.</summary>
    private static readonly Dictionary<string, string[]> PublicNamespaces = new()
    {
        [ShippedAssemblies.Core.GetName().Name!] = ["EInvoice.Transmission.Security", "Microsoft.Extensions.DependencyInjection"],
        [ShippedAssemblies.Dapper.GetName().Name!] = ["EInvoice.Transmission.Security.Dapper", "Microsoft.Extensions.DependencyInjection"],
        [ShippedAssemblies.Pkcs11.GetName().Name!] = ["EInvoice.Transmission.Security.Pkcs11", "Microsoft.Extensions.DependencyInjection"],
        [ShippedAssemblies.AwsKms.GetName().Name!] = ["EInvoice.Transmission.Security.AwsKms", "Microsoft.Extensions.DependencyInjection"],
    };

    [Fact]
    public void PublicClasses_NotDesignedForInheritance_AreSealedOrStatic()
    {
        var open = ShippedAssemblies.PublicTypes
            .Where(t => t.IsClass && !t.IsSealed && !DesignedForInheritance.ContainsKey(t))
            .Select(ShippedAssemblies.Describe);

        ConventionAssert.None(
            open,
            "a public class is sealed (or static) unless it is designed for inheritance; seal it, or add it to "
            + "DesignedForInheritance with the reason");
    }

    [Fact]
    public void DesignedForInheritance_EveryEntry_IsAPublicUnsealedClassOfAShippedAssembly()
    {
        ConventionAssert.None(
            DesignedForInheritance.Keys
                .Where(t => !t.IsClass || !t.IsVisible || t.IsSealed || !ShippedAssemblies.All.Contains(t.Assembly))
                .Select(ShippedAssemblies.Describe),
            "an entry that is sealed, internal or gone is stale and must be removed");
    }

    [Fact]
    public void PublicTypes_InAnInternalNamespace_None()
    {
        var exposed = ShippedAssemblies.PublicTypes
            .Where(t => t.Namespace is { } ns && ns.Split('.').Contains("Internal"))
            .Select(ShippedAssemblies.Describe);

        ConventionAssert.None(exposed, "types in an Internal namespace are implementation details and are never public");
    }

    [Fact]
    public void PublicTypes_Namespace_IsTheAssemblyRootOrDependencyInjection()
    {
        var misplaced = ShippedAssemblies.PublicTypes
            .Where(t => !PublicNamespaces[t.Assembly.GetName().Name!].Contains(t.Namespace))
            .Select(t => $"{ShippedAssemblies.Describe(t)} (namespace {t.Namespace})");

        ConventionAssert.None(misplaced, "public types live in the root namespace whatever their folder, so a consumer needs one using");
    }
}
