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
    public void Encode_Row_IsTheDocumentedJson()
    {
        Encoding.UTF8.GetString(CredentialDestination.Encode(Row)).Should().Be(
            """{"Mode":"DirectDctce","Environment":"Production","ClientId":"client-\u00E9","TokenEndpoint":"https://auth.example/token","ApiEndpoint":"https://api.example/","Scope":null,"AspEndpoint":null,"AspIdentifier":null,"AspProviderName":null}""");
    }

    [Fact]
    public void Encode_ColumnsOutsideTheDestination_DoNotChangeIt()
    {
        var changed = Row with
        {
            ClientSecret = [9],
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
