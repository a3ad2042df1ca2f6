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
    private readonly CredentialStore _store;

    public InputValidationTests() => _store = Some.Store(_repository);

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

    public static TheoryData<string, CredentialUpdate> BadUpdates => new()
    {
        { "Mode", The.AspCredentials with { Mode = (TransmissionMode)99 } },
        { "Mode", The.AspCredentials with { Mode = 0 } },
        { "Environment", The.AspCredentials with { Environment = default(TransmissionEnvironment) } },
        { "ClientId", The.DirectCredentials with { ClientId = new string('c', 257) } },
        { "ClientId", The.DirectCredentials with { ClientId = "with\ncontrol" } },
        { "ClientId", The.DirectCredentials with { ClientId = " padded " } },
        { "ClientId", The.DirectCredentials with { ClientId = "   " } },
        { "ClientSecret", The.DirectCredentials with { ClientSecret = new SecretValue(new string('s', 8193)) } },
        { "ApiKey", The.AspCredentials with { ApiKey = new SecretValue(new string('k', 8193)) } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("/relative/token", UriKind.Relative) } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("http://auth.example/token") } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("http://127.0.0.1:8080/token") } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("ftp://auth.example/token") } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("https://user:password@auth.example/token") } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("https://auth.example/token#fragment") } },
        { "TokenEndpoint", The.DirectCredentials with { TokenEndpoint = new Uri("https://auth.example/" + new string('p', 2100)) } },
        { "ApiEndpoint", The.DirectCredentials with { ApiEndpoint = new Uri("http://api.example/") } },
        { "AspEndpoint", The.AspCredentials with { AspEndpoint = new Uri("file:///etc/passwd") } },
        { "AspIdentifier", The.AspCredentials with { AspIdentifier = new string('i', 257) } },
        { "AspProviderName", The.AspCredentials with { AspProviderName = "tab\there" } },
        { "Scope", The.DirectCredentials with { Scope = "two  spaces" } },
        { "Scope", The.DirectCredentials with { Scope = "quote\"inside" } },
        { "Scope", The.DirectCredentials with { Scope = " leading" } },
        { "Scope", The.DirectCredentials with { Scope = new string('a', 1025) } },
        { "ExpectedVersion", The.AspCredentials with { ExpectedVersion = -1 } },
        { "ClientSecret", The.DirectCredentials with { ClientSecret = null } },
        { "ApiKey", The.AspCredentials with { ApiKey = null } },
        { "Sandbox", new CredentialUpdate { Mode = TransmissionMode.Sandbox, Environment = TransmissionEnvironment.Production } },
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
            The.DirectCredentials with { TokenEndpoint = new Uri("http://127.0.0.1:8080/token"), ApiEndpoint = new Uri("http://[::1]:8081/api/") },
            The.AdminWithMfa);

        status.TokenEndpoint.Should().Be(new Uri("http://127.0.0.1:8080/token"));
    }

    [Fact]
    public async Task SetAsync_HttpToAnotherHostEvenWhenLoopbackIsAllowed_IsRefused()
    {
        var store = Some.Store(_repository, options: new CredentialStoreOptions { AllowHttpOnLoopback = true });

        var act = () => store.SetAsync(The.CompanyId, The.DirectCredentials with { TokenEndpoint = new Uri("http://10.0.0.5/token") }, The.AdminWithMfa);

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
    }
}
