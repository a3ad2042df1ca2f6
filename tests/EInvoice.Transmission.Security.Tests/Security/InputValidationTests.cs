using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>
/// Bad input at the public boundary: each is a clear ArgumentException (or validation error) naming the parameter,
/// and nothing is stored or audited.
/// </summary>
public sealed class InputValidationTests
{
    private readonly InMemoryCredentialRepository _repository = new();
    private readonly TestMfaVerifier _mfa = new(Some.Clock());
    private readonly CredentialStore _store;

    public InputValidationTests() => _store = Some.Store(_repository, verifier: _mfa);

    public static TheoryData<string?> BadCompanyIds => new()
    {
        null,
        string.Empty,
        "   ",
        "\t",
        " leading-space",
        "trailing-space ",
        "line\nbreak",
        "nul\0char",
        new string('x', 129),
    };

    [Theory]
    [MemberData(nameof(BadCompanyIds))]
    public async Task EveryCompanyIdParameter_BadValue_ThrowsArgumentExceptionNamingItAndStoresNothing(string? companyId)
    {
        var id = companyId!;

        await Refused(() => _store.GetStatusAsync(id), "companyId");
        await Refused(() => _store.SetAsync(id, The.AspCredentials, The.AdminWithMfa), "companyId");
        await Refused(() => _store.DeleteAsync(id, The.AdminWithMfa), "companyId");
        FluentActions.Invoking(() => new HttpRequestMessage().SetCompanyId(id)).Should().Throw<ArgumentException>().WithParameterName("companyId");
        FluentActions.Invoking(() => Some.Vault().Seal("x"u8, id, The.ClientSecretField)).Should().Throw<ArgumentException>().WithParameterName("companyId");
        await NothingStoredAsync();
    }

    [Fact]
    public async Task CompanyId_LoneSurrogate_IsRefused()
    {
        var id = new string(['a', '\udc00']);

        await Refused(() => _store.SetAsync(id, The.AspCredentials, The.AdminWithMfa), "companyId");
        await NothingStoredAsync();
    }

    [Fact]
    public async Task CompanyId_128CharactersOfUnicode_IsAccepted()
    {
        var id = new string('é', 64) + new string('字', 64);

        var status = await _store.SetAsync(id, The.AspCredentials, The.AdminWithMfa);

        status.CompanyId.Should().Be(id);
    }

    [Fact]
    public async Task CompanyId_DecomposedAccent_IsRefusedWhileThePrecomposedFormIsAccepted()
    {
        var decomposed = "Soci\u0065\u0301t\u0065\u0301-01";
        var precomposed = "Soci\u00e9t\u00e9-01";

        var error = await Refused(() => _store.SetAsync(decomposed, The.AspCredentials, The.AdminWithMfa), "companyId");
        FluentActions.Invoking(() => Some.Vault().Seal("x"u8, decomposed, The.ClientSecretField)).Should().Throw<ArgumentException>().WithParameterName("companyId");
        await NothingStoredAsync();

        error.Message.Should().Contain("NFC", "the caller is told how to fix the id, which the library does not change silently");
        (await _store.SetAsync(precomposed, The.AspCredentials, The.AdminWithMfa)).CompanyId.Should().Be(precomposed);
    }

    [Fact]
    public void CompanyId_NonAsciiWhereNormalizationCannotBeChecked_IsRefusedAndAsciiStillAccepted()
    {
        // Globalization-invariant runtimes report every string as normalised; the rule must fail closed there.
        CompanyIdRules.GetProblem("Soci\u00e9t\u00e9-01", canCheckNormalization: false).Should().Contain("NFC");
        CompanyIdRules.GetProblem("AE-100234567800003", canCheckNormalization: false).Should().BeNull();
    }

    public static TheoryData<int> BidiAndInvisibleFormatCharacters =>
    [
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
        0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x2061, 0xE0001, 0xE0041,
    ];

    [Theory]
    [MemberData(nameof(BidiAndInvisibleFormatCharacters))]
    public async Task CompanyId_BidiControlOrInvisibleFormatCharacter_IsRefused(int codePoint)
    {
        var id = "AE-1002345" + char.ConvertFromUtf32(codePoint) + "67800003";

        var error = await Refused(() => _store.SetAsync(id, The.AspCredentials, The.AdminWithMfa), "companyId");
        await Refused(() => _store.GetStatusAsync(id), "companyId");
        FluentActions.Invoking(() => new HttpRequestMessage().SetCompanyId(id)).Should().Throw<ArgumentException>().WithParameterName("companyId");
        FluentActions.Invoking(() => Some.Vault().Seal("x"u8, id, The.ClientSecretField)).Should().Throw<ArgumentException>().WithParameterName("companyId");
        await NothingStoredAsync();

        error.Message.Should().Contain($"U+{codePoint:X4}", "the message names the invisible character");
    }

    [Theory]
    [InlineData("\U0001F3E2 Acme \u2014 \u6771\u4EAC")]
    [InlineData("\u0634\u0631\u0643\u0629 \u0627\u0644\u0646\u0648\u0631")]
    public async Task CompanyId_EmojiOrRightToLeftTextWithoutControls_IsAccepted(string id)
    {
        var status = await _store.SetAsync(id, The.AspCredentials, The.AdminWithMfa);

        status.CompanyId.Should().Be(id);
    }

    private static CredentialUpdate Basic => new CredentialUpdate { Kind = HttpBasicKind.KindName, Environment = TransmissionEnvironment.Production }
        .WithSetting(HttpBasicKind.UserName, "TUlJQ1pEQ0NBZ3FnQXdJQkFnSUdBWWc=")
        .WithSecret(HttpBasicKind.Password, new SecretValue("zatca-secret"))
        .WithSetting(HttpBasicKind.ApiEndpoint, "https://gw-fatoora.zatca.gov.sa/e-invoicing/core/");

    public static TheoryData<string, CredentialUpdate> BadUpdates => new()
    {
        { "Kind 'ftp_upload' is not a registered credential kind", The.AspCredentials with { Kind = "ftp_upload" } },
        { "Kind '' is not a registered", The.AspCredentials with { Kind = string.Empty } },
        { "Environment", The.AspCredentials with { Environment = default(TransmissionEnvironment) } },
        { "Settings[\"client_id\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientId, new string('c', 257)) },
        { "Settings[\"client_id\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientId, "with\ncontrol") },
        { "Settings[\"client_id\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientId, " padded ") },
        { "Settings[\"client_id\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientId, "   ") },
        { "Secrets[\"client_secret\"]", The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, new SecretValue(new string('s', 8193))) },
        { "Secrets[\"api_key\"]", The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(new string('k', 8193))) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, "/relative/token") },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://auth.example/token")) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://127.0.0.1:8080/token")) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("ftp://auth.example/token")) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("https://user:password@auth.example/token")) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("https://auth.example/token#fragment")) },
        { "Settings[\"token_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("https://auth.example/" + new string('p', 2100))) },
        { "Settings[\"api_endpoint\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ApiEndpoint, new Uri("http://api.example/")) },
        { "Settings[\"api_endpoint\"]", The.AspCredentials.WithSetting(ApiKeyKind.ApiEndpoint, new Uri("file:///etc/passwd")) },
        { "Settings[\"identifier\"]", The.AspCredentials.WithSetting(ApiKeyKind.Identifier, new string('i', 257)) },
        { "Settings[\"provider_name\"]", The.AspCredentials.WithSetting(ApiKeyKind.ProviderName, "tab\there") },
        { "Settings[\"scope\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.Scope, "two  spaces") },
        { "Settings[\"scope\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.Scope, "quote\"inside") },
        { "Settings[\"scope\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.Scope, " leading") },
        { "Settings[\"scope\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.Scope, new string('a', 1025)) },
        { "ExpectedVersion", The.AspCredentials with { ExpectedVersion = -1 } },
        { "Secrets[\"client_secret\"]", The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientSecret, (SecretValue?)null) },
        { "Secrets[\"api_key\"]", The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, (SecretValue?)null) },
        { "Sandbox environment", new CredentialUpdate { Kind = NoCredentialsKind.KindName, Environment = TransmissionEnvironment.Production } },

        // Fields a kind does not have, or has as the other sort.
        { "'api_key' is a secret", The.AspCredentials.WithSetting(ApiKeyKind.ApiKey, "plain-key") },
        { "is a plain setting", The.DirectCredentials.WithSecret(OAuthClientCredentialsKind.ClientId, new SecretValue("x")) },
        { "has no setting 'asp_endpoint'", The.AspCredentials.WithSetting("asp_endpoint", "https://asp.example/") },

        // Headers: CR/LF in a name or value, a name that is no token, one the kind sets itself, twice in two cases.
        { "Settings[\"header.X-Injected\"]", The.AspCredentials.WithSetting("header.X-Injected", "a\r\nX-Evil: 1") },
        { "Settings[\"header.X-Line\nBreak\"]", The.AspCredentials.WithSetting("header.X-Line\nBreak", "value") },
        { "Secrets[\"header.cpro-account\"]", The.DirectCredentials.WithSecret("header.cpro-account", new SecretValue("bG9naW46cGFzcw==\r\nX-Evil: 1")) },
        { "Settings[\"header.Authorization\"]", The.DirectCredentials.WithSetting("header.Authorization", "Bearer planted") },
        { "Secrets[\"header.authorization\"]", The.AspCredentials.WithSecret("header.authorization", new SecretValue("Basic planted")) },
        { "Settings[\"header.x-api-key\"]", The.AspCredentials.WithSetting("header.x-api-key", "second-key") },
        { "set twice", The.AspCredentials.WithSetting("header.aade-user-id", "u1").WithSecret("header.AADE-USER-ID", new SecretValue("u2")) },
        { "Settings[\"header_name\"]", The.AspCredentials.WithSetting(ApiKeyKind.HeaderName, "X-API-Key\r\nX-Evil") },
        { "Settings[\"scheme\"] is required", The.AspCredentials.WithSetting(ApiKeyKind.HeaderName, "Authorization") },
        { "Settings[\"token_header.Authorization\"]", The.DirectCredentials.WithSetting("token_header.Authorization", "Basic planted") },
        { "Settings[\"token_param.client_secret\"]", The.DirectCredentials.WithSetting("token_param.client_secret", "planted") },
        { "Settings[\"client_authentication\"]", The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.ClientAuthentication, "private_key_jwt") },

        // Headers no credential may set, a secret with surrounding blanks that no header could carry, case twins.
        { "Secrets[\"api_key\"]", The.AspCredentials.WithSecret(ApiKeyKind.ApiKey, new SecretValue(" padded-key ")) },
        { "Secrets[\"header.Host\"]", The.AspCredentials.WithSecret("header.Host", new SecretValue("key-in-the-sni")) },
        { "Settings[\"header.Content-Type\"]", The.AspCredentials.WithSetting("header.Content-Type", "text/plain") },
        { "Settings[\"token_header.Transfer-Encoding\"]", The.DirectCredentials.WithSetting("token_header.Transfer-Encoding", "chunked") },
        { "cannot build its headers", The.AspCredentials.WithSetting(ApiKeyKind.HeaderName, "Host") },
        { "is set twice", The.DirectCredentials.WithSetting("token_header.X-Tenant", "a").WithSetting("token_header.x-tenant", "b") },

        // HTTP Basic: a user name with ':' would be split there by the server (RFC 7617).
        { "Settings[\"user_name\"] may not contain ':'", Basic.WithSetting(HttpBasicKind.UserName, "user:name") },
        { "Secrets[\"password\"]", Basic.WithSecret(HttpBasicKind.Password, (SecretValue?)null) },
    };

    [Theory]
    [MemberData(nameof(BadUpdates))]
    public async Task SetAsync_BadField_ThrowsArgumentExceptionNamingTheFieldAndStoresNothing(string field, CredentialUpdate update)
    {
        var error = await Refused(() => _store.SetAsync(The.CompanyId, update, The.AdminWithMfa), "update");

        error.Message.Should().Contain(field);
        await NothingStoredAsync();
    }

    [Fact]
    public async Task SetAsync_HttpOnLoopbackWhenAllowed_IsAccepted()
    {
        var store = Some.Store(_repository, options: new CredentialStoreOptions { AllowHttpOnLoopback = true });

        var status = await store.SetAsync(
            The.CompanyId,
            The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://127.0.0.1:8080/token")).WithSetting(OAuthClientCredentialsKind.ApiEndpoint, new Uri("http://[::1]:8081/api/")),
            The.AdminWithMfa);

        status.TokenEndpoint.Should().Be(new Uri("http://127.0.0.1:8080/token"));
    }

    [Fact]
    public async Task SetAsync_HttpToAnotherHostEvenWhenLoopbackIsAllowed_IsRefused()
    {
        var store = Some.Store(_repository, options: new CredentialStoreOptions { AllowHttpOnLoopback = true });

        var act = () => store.SetAsync(The.CompanyId, The.DirectCredentials.WithSetting(OAuthClientCredentialsKind.TokenEndpoint, new Uri("http://10.0.0.5/token")), The.AdminWithMfa);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("https");
        await NothingStoredAsync();
    }

    [Fact]
    public async Task SetAndDelete_NullArguments_ThrowArgumentNullExceptionNamingThem()
    {
        await FluentActions.Awaiting(() => _store.SetAsync(The.CompanyId, null!, The.AdminWithMfa)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("update");
        await FluentActions.Awaiting(() => _store.SetAsync(The.CompanyId, The.AspCredentials, null!)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("context");
        await FluentActions.Awaiting(() => _store.DeleteAsync(The.CompanyId, null!)).Should().ThrowAsync<ArgumentNullException>().WithParameterName("context");
        await NothingStoredAsync();
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, 0)]
    [InlineData(0, 10_001)]
    public async Task ReadAuditTrailAsync_OutOfRange_ThrowsArgumentOutOfRangeException(long after, int limit)
    {
        await FluentActions.Awaiting(() => _store.ReadAuditTrailAsync(after, limit)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public void CredentialChangeContext_BadActor_ThrowsArgumentExceptionNamingIt(string? actor)
    {
        FluentActions.Invoking(() => new CredentialChangeContext(actor!, The.Mfa)).Should().Throw<ArgumentException>().WithParameterName("actor");
    }

    [Fact]
    public void CredentialChangeContext_OverLongActor_ThrowsArgumentException()
    {
        FluentActions.Invoking(() => new CredentialChangeContext(new string('a', 257), The.Mfa)).Should().Throw<ArgumentException>().WithParameterName("actor");
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("ünicode")]
    public void MfaProof_BadMethod_ThrowsArgumentExceptionNamingIt(string method)
    {
        FluentActions.Invoking(() => new MfaProof(method, new SecretValue("x"))).Should().Throw<ArgumentException>().WithParameterName("method");
        FluentActions.Invoking(() => new MfaProof("totp", null!)).Should().Throw<ArgumentNullException>().WithParameterName("evidence");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a-name-that-is-longer-than-thirty-two-characters")]
    public void TransmissionEnvironment_BadName_ThrowsArgumentExceptionNamingIt(string name)
    {
        FluentActions.Invoking(() => new TransmissionEnvironment(name)).Should().Throw<ArgumentException>().WithParameterName("name");
        TransmissionEnvironment.TryParse(name, out _).Should().BeFalse();
    }

    private static async Task<ArgumentException> Refused(Func<Task> act, string parameter)
        => (await act.Should().ThrowAsync<ArgumentException>()).Which.Should().Match<ArgumentException>(e => e.ParamName == parameter).And.Subject.As<ArgumentException>();

    private async Task NothingStoredAsync()
    {
        (await _repository.ListAsync(null, 10)).Should().BeEmpty("nothing is stored for bad input");
        (await _repository.ReadAuditAsync(0, 10)).Should().BeEmpty("bad input is not an audited change");
        _mfa.Calls.Should().Be(0, "the proof is not used by a change that is refused anyway");
    }
}
