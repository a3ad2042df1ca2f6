using System.Reflection;
using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// State the library keeps about a token, key or secret — public or internal — is a <see cref="SecretValue"/>, an
/// envelope or a hash, never a plain <see cref="string"/> that a debugger, a dump or a careless log would show.
/// </summary>
public sealed partial class NoRawSecretStateTests
{
    /// <summary>Strings whose name sounds secret but that hold names, ids or already-filtered text (with the reason).</summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        ["ActiveKeyId"] = "a key id, not a key",
        ["KeyId"] = "a key id, not a key",
        ["_leaseOwner"] = "a process id for the lease",
    };

    [Theory]
    [InlineData(typeof(CredentialVault))]
    public void NoTypeKeepsASecretAsAString(Type anyTypeOfTheAssembly)
    {
        var offenders = anyTypeOfTheAssembly.Assembly.GetTypes()
            .Where(t => !t.IsEnum && !t.Name.StartsWith('<') && !t.Name.StartsWith("__", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.FieldType == typeof(string) && !f.IsLiteral)
                .Select(f => (Type: t, Name: BackingName(f.Name))))
            .Where(f => SecretSounding().IsMatch(f.Name) && !Allowed.ContainsKey(f.Name))
            .Select(f => $"{f.Type.FullName}.{f.Name}")
            .ToList();

        offenders.Should().BeEmpty("a token, key or secret is kept as a SecretValue, an envelope or a hash");
    }

    /// <summary>An auto-property's backing field is named &lt;Name&gt;k__BackingField.</summary>
    private static string BackingName(string field) => field.StartsWith('<') ? field[1..field.IndexOf('>', StringComparison.Ordinal)] : field;

    [GeneratedRegex("(Token|Secret|Password|ApiKey|Key|Assertion|Credential)s?$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretSounding();
}
