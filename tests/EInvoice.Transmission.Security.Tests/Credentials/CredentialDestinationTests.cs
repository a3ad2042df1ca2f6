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
        Mode = TransmissionMode.DirectDctce,
        Environment = "Production",
        ClientId = "client-é",
        ClientSecret = [1],
        TokenEndpoint = "https://auth.example/token",
        ApiEndpoint = "https://api.example/",
        Scope = null,
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
            "EITS-DESTINATION-2\n" +
            "api_endpoint:20:https://api.example/\n" +
            "client_id:9:client-é\n" +
            "environment:10:Production\n" +
            "kind:24:oauth_client_credentials\n" +
            "secret.dctce.client_secret:64:4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\n" +
            "token_endpoint:26:https://auth.example/token\n");
    }

    [Fact]
    public void Mismatches_SealWrittenByVersion01_StillMatchesItsRow()
    {
        // The exact bytes 0.1 sealed for this row (System.Text.Json, null fields included, .NET enum name).
        var v1 = Encoding.UTF8.GetBytes(
            """{"Mode":"DirectDctce","Environment":"Production","ClientId":"client-\u00E9","TokenEndpoint":"https://auth.example/token","ApiEndpoint":"https://api.example/","Scope":null,"AspEndpoint":null,"AspIdentifier":null,"AspProviderName":null}""");

        CredentialDestination.Mismatches(v1, Row).Should().BeEmpty();
        CredentialDestination.Mismatches(v1, Row with { TokenEndpoint = "https://attacker.example/token" }).Should().Equal("dctce.token_endpoint");
    }

    [Fact]
    public void Mismatches_FieldAddedOrChanged_NamesExactlyThoseFields()
    {
        var sealedBytes = CredentialDestination.Encode(Row);

        CredentialDestination.Mismatches(sealedBytes, Row).Should().BeEmpty();
        CredentialDestination.Mismatches(sealedBytes, Row with { Scope = "all", Mode = TransmissionMode.AspProvider }).Should().BeEquivalentTo(["dctce.scope", "mode"]);
        CredentialDestination.Mismatches("garbage"u8, Row).Should().HaveCount(11);
        CredentialDestination.Mismatches(sealedBytes, Row with { ClientSecret = [9] }).Should().Equal("dctce.client_secret");
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
