using System.Reflection;
using EInvoice.Transmission.Security.Dapper;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>The libraries the repository ships, and what a consumer of them can see.</summary>
internal static class ShippedAssemblies
{
    public static readonly Assembly Core = typeof(CredentialStore).Assembly;

    public static readonly Assembly Dapper = typeof(DapperCredentialRepository).Assembly;

    public static readonly Assembly Pkcs11 = typeof(Pkcs11.Pkcs11KeyCustodyOptions).Assembly;

    public static readonly Assembly AwsKms = typeof(AwsKms.AwsKmsKeyCustodyOptions).Assembly;

    public static IReadOnlyList<Assembly> All { get; } = [Core, Dapper, Pkcs11, AwsKms];

    /// <summary>Every type a consumer can name, nested public types included.</summary>
    public static IEnumerable<Type> PublicTypes => All.SelectMany(a => a.GetExportedTypes());

    /// <summary>
    /// The methods, properties and fields a type declares that a consumer can reach: public, or protected on a type a
    /// consumer can derive from (<see cref="CredentialKind"/>'s <c>protected internal</c> overrides are part of its API).
    /// </summary>
    public static IEnumerable<MemberInfo> VisibleMembers(Type type) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m switch
            {
                MethodBase method => IsVisible(type, method.IsPublic, method.IsFamily || method.IsFamilyOrAssembly),
                FieldInfo field => IsVisible(type, field.IsPublic, field.IsFamily || field.IsFamilyOrAssembly),
                PropertyInfo property => property.GetAccessors(nonPublic: true).Any(a => IsVisible(type, a.IsPublic, a.IsFamily || a.IsFamilyOrAssembly)),
                _ => false,
            });

    public static string Describe(Type type) => type.FullName ?? type.Name;

    public static string Describe(MemberInfo member) => $"{Describe(member.DeclaringType!)}.{member.Name}";

    private static bool IsVisible(Type type, bool isPublic, bool isProtected) => isPublic || (isProtected && !type.IsSealed);
}
