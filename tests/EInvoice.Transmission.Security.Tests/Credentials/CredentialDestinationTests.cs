using System.Text;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Credentials;

/// <summary>
/// The bytes sealed as a row's destination. Every stored seal is compared with this encoding of its row, so a change
/// here would lock every company out: it is pinned, and documented in docs/envelope-format.md.
/// </summary>
public sealed class CredentialDestinationTests
{
    private static readonly StoredCredential Row = new()
    {
        CompanyId = The.CompanyId,
        Kind = OAuthClientCredentialsKind.KindName,
        Environment = "Production",
        Settings = new Dictionary<string, string>
        {
            ["client_id"] = "client-é",
            ["token_endpoint"] = "https://auth.example/token",
            ["api_endpoint"] = "https://api.example/",
        },
        Secrets = new Dictionary<string, byte[]> { ["client_secret"] = [1] },
        AccessToken = [2],
        ConfiguredAt = The.Now,
        ConfiguredBy = The.Admin,
        Version = 1,
        RowVersion = 1,
    };

    [Fact]
    public void Encode_Row_IsTheDocumentedCanonicalForm()
    {
        // docs/envelope-format.md, "The destination seal": sorted names, UTF-8 byte lengths, unset fields left out.
        Encoding.UTF8.GetString(CredentialDestination.Encode(Row)).Should().Be(
            "EITS-DESTINATION-3\n" +
            "environment:10:Production\n" +
            "kind:24:oauth_client_credentials\n" +
            "secret.client_secret:64:4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\n" +
            "setting.api_endpoint:20:https://api.example/\n" +
            "setting.client_id:9:client-é\n" +
            "setting.token_endpoint:26:https://auth.example/token\n");
    }

    [Fact]
    public void Mismatches_SealWrittenByTheFixedFieldVersion2_StillMatchesItsMigratedRow()
    {
        // The fixed-field version 2 (unreleased, written between 0.1 and kinds) named 0.1's columns and envelope fields.
        var v2 = Encoding.UTF8.GetBytes(
            "EITS-DESTINATION-2\n" +
            "api_endpoint:20:https://api.example/\n" +
            "client_id:9:client-é\n" +
            "environment:10:Production\n" +
            "kind:24:oauth_client_credentials\n" +
            "secret.dctce.client_secret:64:4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\n" +
            "token_endpoint:26:https://auth.example/token\n");

        CredentialDestination.Mismatches(v2, Row).Should().BeEmpty();
        CredentialDestination.Mismatches(v2, Row.WithSecretEnvelope("client_secret", [9])).Should().Equal("client_secret");
        CredentialDestination.Mismatches(v2, Row.WithSetting("scope", "all")).Should().Equal("scope");
    }

    [Fact]
    public void Mismatches_SealWrittenByVersion01_StillMatchesItsRow()
    {
        // The exact bytes 0.1 sealed for this row (System.Text.Json, null fields included, .NET enum name).
        var v1 = Encoding.UTF8.GetBytes(
            """{"Mode":"DirectDctce","Environment":"Production","ClientId":"client-\u00E9","TokenEndpoint":"https://auth.example/token","ApiEndpoint":"https://api.example/","Scope":null,"AspEndpoint":null,"AspIdentifier":null,"AspProviderName":null}""");

        CredentialDestination.Mismatches(v1, Row).Should().BeEmpty();
        CredentialDestination.Mismatches(v1, Row.WithSetting("token_endpoint", "https://attacker.example/token")).Should().Equal("token_endpoint");
    }

    [Fact]
    public void Mismatches_FieldAddedOrChanged_NamesExactlyThoseFields()
    {
        var sealedBytes = CredentialDestination.Encode(Row);

        CredentialDestination.Mismatches(sealedBytes, Row).Should().BeEmpty();
        CredentialDestination.Mismatches(sealedBytes, Row.WithSetting("scope", "all") with { Kind = ApiKeyKind.KindName }).Should().BeEquivalentTo(["scope", "kind"]);
        CredentialDestination.Mismatches("garbage"u8, Row).Should().BeEquivalentTo(["kind", "environment", "client_id", "token_endpoint", "api_endpoint", "client_secret"]);
        CredentialDestination.Mismatches(sealedBytes, Row.WithSecretEnvelope("client_secret", [9])).Should().Equal("client_secret");
        CredentialDestination.Mismatches(sealedBytes, Row.WithSecretEnvelope("header.x-planted", [9])).Should().Equal("header.x-planted");
    }

    [Fact]
    public void Encode_ColumnsOutsideTheDestination_DoNotChangeIt()
    {
        var changed = Row with
        {
            AccessToken = null,
            AccessTokenExpiresAt = The.Now,
            IsValid = false,
            LastTestError = "timeout",
            ConfiguredBy = "someone-else",
            Version = 2,
            RowVersion = 5,
        };

        CredentialDestination.Encode(changed).Should().Equal(CredentialDestination.Encode(Row), "tokens, test results and versions change without an admin");
    }
}
