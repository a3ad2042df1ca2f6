using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using EInvoice.Transmission.Security.Testing;
using EInvoice.Transmission.Security.Tests.Credentials;
using Microsoft.Extensions.DependencyInjection;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.OAuth;

/// <summary>
/// Text from the identity provider is untrusted (#10 item 3): an <c>error</c> or <c>error_description</c> that echoes
/// the client secret, in any encoding, must not carry it into the exception, the logs or the recorded connection test.
/// </summary>
public sealed class OAuthTokenProviderRemoteTextTests
{
    /// <summary>A client secret with characters that percent-encode, so each encoding differs from the others.</summary>
    private const string Secret = SecretScrubberTests.Secret;

    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(Secret);

    /// <summary>The secret as the identity provider echoes it, and whether it echoes it in <c>error</c> rather than <c>error_description</c>.</summary>
    public static TheoryData<string, string, bool> Echoes => new()
    {
        { "raw", Secret, false },
        { "percent, upper-case hex", Uri.EscapeDataString(Secret), false },
        { "percent, lower-case hex", SecretScrubberTests.PercentLower(Uri.EscapeDataString(Secret)), false },
        { "whole text lower-cased", Secret.ToLowerInvariant(), false },
        { "form, + for space", Uri.EscapeDataString(Secret).Replace("%20", "+", StringComparison.Ordinal), false },
        { "Base64", Convert.ToBase64String(SecretBytes), false },
        { "Base64url, unpadded", Base64Url.EncodeToString(SecretBytes), false },
        { "JSON-escaped", SecretScrubberTests.JsonEscaped(Secret), false },
        { "Basic header", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{The.ClientId}:{Uri.EscapeDataString(Secret)}")), false },
        { "in error, raw", Secret, true },
        { "in error, percent lower-case", SecretScrubberTests.PercentLower(Uri.EscapeDataString(Secret)), true },
        { "in error, hex (a valid code otherwise)", Convert.ToHexStringLower(SecretBytes), true },
        { "in error, Base64url lower-cased (a valid code otherwise)", Base64Url.EncodeToString(SecretBytes).ToLowerInvariant(), true },
    };

    [Theory]
    [MemberData(nameof(Echoes))]
    public async Task SendAsync_IdentityProviderEchoesTheSecret_ItAppearsNowhere(string encoding, string canary, bool inError)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync(clientSecret: Secret);
        var (error, description) = inError
            ? (canary, "Client authentication failed")
            : ("invalid_client", $"The client secret {canary} is wrong.");
        if (encoding.StartsWith("whole text", StringComparison.Ordinal))
        {
            description = description.ToLowerInvariant();
        }

        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => ErrorResponse(error, description));
        host.ServeApi(The.ApiEndpoint);

        var failure = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;
        var tested = await host.Services.GetRequiredService<CredentialConnectionTester>().TestAsync(The.CompanyId);
        var status = await host.Store.GetStatusAsync(The.CompanyId);

        var texts = new List<(string Where, string? Text)>
        {
            ("Message", failure.Message),
            ("Error", failure.Error),
            ("ErrorDescription", failure.ErrorDescription),
            ("ToString", failure.ToString()),
            ("connection test result", tested.Error),
            ("LastConnectionTest.Error", status!.LastConnectionTest?.Error),
        };
        foreach (var record in host.Logs.GetSnapshot())
        {
            texts.Add(($"log {record.Id}", record.Message));
            texts.AddRange((record.StructuredState ?? []).Select(s => ($"log {record.Id} {s.Key}", s.Value)));
            texts.Add(($"log {record.Id} exception", record.Exception?.ToString()));
        }

        texts.Should().Contain(t => t.Where.StartsWith("log", StringComparison.Ordinal), "the failure was logged");
        foreach (var (where, text) in texts)
        {
            (text ?? string.Empty).Should().NotContainEquivalentOf(Secret, $"{encoding}: {where} must not carry the secret")
                .And.NotContainEquivalentOf(canary, $"{encoding}: {where} must not carry the echoed secret");
        }

        tested.Succeeded.Should().BeFalse();
        status.LastConnectionTest!.Error.Should().NotBeNullOrEmpty();
        if (!inError)
        {
            failure.Error.Should().Be("invalid_client", "a plain error code is kept");
            failure.ErrorDescription.Should().Contain(SecretValue.RedactedText, "the description is kept with the secret redacted");
        }
        else
        {
            failure.Error.Should().Be(OAuthTokenException.UnrecognizedError, "an error that is not a plain code, or holds the secret, is withheld");
            failure.ErrorDescription.Should().Be("Client authentication failed");
        }

        failure.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        failure.IsTransient.Should().BeFalse();
    }

    [Fact]
    public async Task SendAsync_ErrorIsNotAnErrorCode_IsReplacedByUnrecognizedError()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri)
            .Respond(_ => ErrorResponse("Invalid Client! see https://collector.example/?q=1", null));

        var failure = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        failure.Error.Should().Be(OAuthTokenException.UnrecognizedError);
        failure.ErrorDescription.Should().BeNull();
        failure.Message.Should().NotContain("collector.example");
    }

    public static TheoryData<string, string?> Descriptions => new()
    {
        { "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0d1f\r\nCorrelation ID: 7c2e", "AADSTS7000215: Invalid client secret provided. Trace ID: 0d1f Correlation ID: 7c2e" },
        { "bidi \u202Eoverride", null },
        { "bell \u0007", null },
        { "zero\u200Bwidth", null },
        { "   ", null },
        { "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl was revoked", "token [redacted] was revoked" },
        { "see https://idp.example/errors/invalid_client?x=1", "see https:[redacted]?x=1" },
    };

    [Theory]
    [MemberData(nameof(Descriptions))]
    public async Task SendAsync_ErrorDescription_IsKeptOnlyWhenSafeToShow(string description, string? expected)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => ErrorResponse("invalid_client", description));

        var failure = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        failure.Error.Should().Be("invalid_client");
        failure.ErrorDescription.Should().Be(expected);
    }

    [Fact]
    public async Task SendAsync_LongErrorDescription_IsCutTo256Characters()
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync();
        var description = "AADSTS7000215: " + string.Concat(Enumerable.Repeat("word ", 100));
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => ErrorResponse("invalid_client", description));

        var failure = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        failure.ErrorDescription.Should().HaveLength(256).And.StartWith("AADSTS7000215: word word").And.EndWith("…");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("hex")]
    public async Task SendAsync_TokenTypeEchoesTheSecret_TheMessageDoesNotNameIt(string encoding)
    {
        await using var host = TransmissionTestHost.Create();
        await host.SetDirectAsync(clientSecret: Secret);
        var tokenType = encoding == "raw" ? Secret : Convert.ToHexStringLower(SecretBytes);
        host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => TokenResponses.Json(
            HttpStatusCode.OK,
            JsonSerializer.Serialize(new Dictionary<string, object> { ["access_token"] = "t", ["token_type"] = tokenType, ["expires_in"] = 3600 })));

        var failure = (await FluentActions.Awaiting(() => host.SendAsync()).Should().ThrowAsync<OAuthTokenException>()).Which;

        failure.Error.Should().Be(OAuthTokenException.InvalidTokenResponse);
        failure.ErrorDescription.Should().Be("token_type is not Bearer");
        failure.ToString().Should().NotContainEquivalentOf(tokenType);
    }

    private static HttpResponseMessage ErrorResponse(string error, string? description)
    {
        var body = new Dictionary<string, string> { ["error"] = error };
        if (description is not null)
        {
            body["error_description"] = description;
        }

        return TokenResponses.Json(HttpStatusCode.Unauthorized, JsonSerializer.Serialize(body));
    }
}
