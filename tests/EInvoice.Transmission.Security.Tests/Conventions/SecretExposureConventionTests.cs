using System.Reflection;
using System.Text.RegularExpressions;

namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>
/// No public type hands out a raw secret as a <see cref="string"/> (issue #16): a string cannot be cleared, is copied
/// by every log and serializer, and shows in a debugger. Secrets leave the library as <see cref="SecretValue"/> (opened
/// on purpose with <see cref="SecretValue.Reveal"/>) or as sealed envelope bytes.
/// </summary>
/// <remarks>
/// The rule: a public (or, on an extension point, protected) property, field, method return or <c>out</c> parameter
/// whose type carries a string (<c>string</c>, a string sequence, or a task of either) must not be named after secret
/// material. A name is split into its PascalCase words; it names a secret when one of them is in
/// <see cref="SecretWords"/>, unless its last word says the member names, locates or identifies the secret rather than
/// holding it (<see cref="IdentifierHeads"/>: <c>KeyId</c>, <c>SecretNames</c>, <c>TokenEndpoint</c>). Constants are
/// exempt: a <c>const</c> is compiled into every caller and published with the package, so it can only hold a name,
/// such as <c>OAuthClientCredentialsKind.ClientSecret = "client_secret"</c>, the name of a field.
/// </remarks>
public sealed partial class SecretExposureConventionTests
{
    /// <summary>Words that name secret material.</summary>
    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "Secret", "Secrets", "Password", "Passwords", "Passphrase", "Pwd", "Pin", "Otp", "Token", "Tokens", "Key", "Keys",
        "Assertion", "Private", "Bearer", "Authorization", "Credential", "Credentials", "Evidence", "Plaintext",
    };

    /// <summary>
    /// Last words that make the member about the secret, not the secret: its identifier, its name, where it is sent or
    /// how it is recognised without being revealed.
    /// </summary>
    private static readonly Dictionary<string, string> IdentifierHeads = new(StringComparer.Ordinal)
    {
        ["Id"] = "an identifier, such as KeyId: the key's name in the ring, stored beside every envelope",
        ["Ids"] = "identifiers, such as KeyEncryptionKeyRing.KeyIds",
        ["Name"] = "a name, such as a field or client name",
        ["Names"] = "names, such as CredentialValues.SecretNames: which secrets exist, never their values",
        ["Endpoint"] = "where a secret is sent, such as a token endpoint",
        ["Uri"] = "where a secret is sent",
        ["Prefix"] = "a field-name prefix, such as token_header.",
        ["Type"] = "a protocol word, such as an OAuth token_type (\"Bearer\")",
        ["Scheme"] = "an authentication scheme name",
        ["Method"] = "how a secret is checked, such as MfaProof.Method (\"totp\")",
        ["Hash"] = "a one-way digest that identifies a value without revealing it",
        ["Fingerprint"] = "a short digest that identifies a value without revealing it",
        ["Label"] = "the name of an object on a token, such as a PKCS#11 token's or key's CKA_LABEL",
    };

    /// <summary>
    /// Members that break the rule on purpose, as "Namespace.Type.Member", each with the reason. A new entry
    /// needs the reviewer's agreement that the string is not secret.
    /// </summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["EInvoice.Transmission.Security.Pkcs11.Pkcs11KeyCustodyOptions.UserPin"] =
            "bound from configuration, and the PKCS#11 module takes the PIN as a string (C_Login through Pkcs11Interop); "
            + "[JsonIgnore], never logged, never in a message (Pkcs11LeakCanaryTests, Pkcs11KeyWrapperTests)",
    };

    [Fact]
    public void PublicMembers_NamedAfterASecret_AreNotStrings()
    {
        var exposed = ShippedAssemblies.PublicTypes
            .SelectMany(ShippedAssemblies.VisibleMembers)
            .SelectMany(StringCarriers)
            .Where(c => NamesASecret(c.Name) && !Allowed.ContainsKey(c.Where))
            .Select(c => c.Where)
            .Distinct();

        ConventionAssert.None(exposed, "a secret leaves the library as a SecretValue or sealed bytes, never as a string");
    }

    [Fact]
    public void Allowed_EveryEntry_IsStillAStringNamedAfterASecret()
    {
        var carriers = ShippedAssemblies.PublicTypes
            .SelectMany(ShippedAssemblies.VisibleMembers)
            .SelectMany(StringCarriers)
            .Where(c => NamesASecret(c.Name))
            .Select(c => c.Where)
            .ToHashSet();

        ConventionAssert.None(Allowed.Keys.Where(k => !carriers.Contains(k)), "an entry that no longer matches is stale and must be removed");
    }

    [Theory]
    [InlineData("ClientSecret", true)]
    [InlineData("AccessToken", true)]
    [InlineData("ApiKey", true)]
    [InlineData("PrivateKeyPem", true)]
    [InlineData("ClientAssertion", true)]
    [InlineData("Password", true)]
    [InlineData("RefreshTokenText", true)]
    [InlineData("KeyId", false)]
    [InlineData("ActiveKeyId", false)]
    [InlineData("SecretNames", false)]
    [InlineData("TokenEndpoint", false)]
    [InlineData("TokenHttpClientName", false)]
    [InlineData("CompanyId", false)]
    [InlineData("Keyword", false)]
    public void NamesASecret_Name_RecognisesSecretsAndTheirIdentifiers(string name, bool expected) =>
        NamesASecret(name).Should().Be(expected);

    private static bool NamesASecret(string name)
    {
        var words = PascalWords().Matches(name).Select(m => m.Value).ToList();
        return words.Count > 0 && words.Any(SecretWords.Contains) && !IdentifierHeads.ContainsKey(words[^1]);
    }

    /// <summary>The names under which a member hands out a string: its own, and those of its <c>out</c> parameters.</summary>
    private static IEnumerable<(string Name, string Where)> StringCarriers(MemberInfo member)
    {
        var where = ShippedAssemblies.Describe(member);
        switch (member)
        {
            case FieldInfo { IsLiteral: true }:
                yield break;
            case FieldInfo field when CarriesString(field.FieldType):
                yield return (field.Name, where);
                break;
            case PropertyInfo property when CarriesString(property.PropertyType):
                yield return (property.Name, where);
                break;
            case MethodInfo method when !method.IsSpecialName:
                if (CarriesString(method.ReturnType))
                {
                    yield return (method.Name, where);
                }

                foreach (var parameter in method.GetParameters().Where(p => p.IsOut && CarriesString(p.ParameterType.GetElementType()!)))
                {
                    yield return (parameter.Name!, $"{where}(out {parameter.Name})");
                }

                break;
        }
    }

    private static bool CarriesString(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition && (definition == typeof(Task<>) || definition == typeof(ValueTask<>)))
        {
            return CarriesString(type.GetGenericArguments()[0]);
        }

        return type == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(type);
    }

    [GeneratedRegex("[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")]
    private static partial Regex PascalWords();
}
