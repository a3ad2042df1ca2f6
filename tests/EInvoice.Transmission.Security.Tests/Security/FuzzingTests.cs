using System.Net;
using System.Text;
using CsCheck;
using EInvoice.Transmission.Security.Internal;
using EInvoice.Transmission.Security.Testing;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace EInvoice.Transmission.Security.Tests.Security;

/// <summary>
/// Property-based tests (CsCheck): random, truncated, extended, bit-flipped and spliced envelopes, and random token
/// endpoint answers. Only the documented exception types may escape, and nothing may hang.
/// </summary>
public sealed class FuzzingTests
{
    private const string Company = The.CompanyId;
    private const string Field = The.ClientSecretField;
    private static readonly CredentialVault Vault = Some.Vault(The.KeyId, (The.KeyId, The.Key), ("kek-2026-03", The.OtherKey));
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("fuzzed client secret value");
    private static readonly byte[] Valid = Vault.Seal(Plaintext, Company, Field);
    private static readonly byte[] Other = Vault.Seal("another"u8, Company, Field);

    /// <summary>A mutation of the valid envelope: kind, position, length, and bytes to insert or overwrite with.</summary>
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 10_000], Gen.Int[1, 64], Gen.Byte.Array[1, 64], (kind, position, length, bytes) => Mutate(kind, position, length, bytes));

    [Fact]
    public void Open_RandomBytes_OnlyEverThrowsCredentialVaultException()
    {
        Gen.Byte.Array[0, 400].Sample(bytes => OpensOrFailsCleanly(bytes), iter: 20_000);
    }

    [Fact]
    public void Open_RandomBytesBehindAValidHeader_OnlyEverThrowsCredentialVaultException()
    {
        // Random bodies behind a header the parser accepts, so the fuzzing reaches the cryptography.
        var header = Valid[..(3 + The.KeyId.Length)];
        Gen.Byte.Array[0, 300].Sample(body => OpensOrFailsCleanly([.. header, .. body]), iter: 20_000);
    }

    [Fact]
    public void Open_MutatedEnvelopes_OpenOnlyWhenUnchangedAndOtherwiseThrowCredentialVaultException()
    {
        Mutated.Sample(OpensOrFailsCleanly, iter: 20_000);
    }

    [Fact]
    public void RewrapAndGetKeyId_MutatedEnvelopes_OnlyEverThrowCredentialVaultException()
    {
        var rotated = Some.RotatedVault();
        Mutated.Sample(
            envelope =>
            {
                Guard(() => CredentialVault.GetKeyId(envelope));
                if (Guard(() => rotated.Rewrap(envelope, Company, Field)) is { } rewrapped)
                {
                    // A rewrap leaves the data layer as it is: the rewrapped envelope opens exactly when the original does.
                    var original = Guard(() => Vault.Open(envelope, Company, Field));
                    var moved = Guard(() => rotated.Open(rewrapped, Company, Field));
                    (moved is null).Should().Be(original is null);
                    moved?.Should().Equal(original);
                }
            },
            iter: 10_000);
    }

    [Fact]
    public async Task TokenClient_RandomTokenEndpointAnswers_OnlyEverThrowOAuthTokenExceptionAndNeverHang()
    {
        await Answers.SampleAsync(
            async answer =>
            {
                var client = new TokenClient(new SingleAnswerFactory(answer), Options.Create(new OAuthOptions()), TimeProvider.System);
                try
                {
                    var token = await client.RequestAsync(Credentials, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                    token.AccessToken.Length.Should().BeGreaterThan(0);
                    token.Lifetime.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "a token must live long enough to be used");
                }
                catch (OAuthTokenException ex)
                {
                    ex.Error.Should().NotBeNullOrEmpty();
                    ex.CompanyId.Should().Be(Company);
                }
            },
            iter: 3_000,
            threads: 1);
    }

    [Fact]
    public async Task Handler_RandomTokenEndpointAnswers_NeverSendsWithoutATokenAndOnlyThrowsOAuthTokenException()
    {
        await Answers.SampleAsync(
            async answer =>
            {
                await using var host = TransmissionTestHost.Create();
                await host.SetDirectAsync();
                host.Http.When(HttpMethod.Post, The.TokenEndpoint.AbsoluteUri).Respond(_ => answer.ToResponse());
                host.ServeApi(The.ApiEndpoint);
                try
                {
                    using var response = await host.SendAsync().WaitAsync(TimeSpan.FromSeconds(10));
                    host.ApiCalls.Should().ContainSingle().Which.Authorization.Should().StartWith("Bearer ");
                }
                catch (OAuthTokenException)
                {
                    host.ApiCalls.Should().BeEmpty();
                }
            },
            iter: 300,
            threads: 1);
    }

    private static readonly CredentialValues Credentials = new(
        Company,
        TransmissionEnvironment.Production,
        new Dictionary<string, string>
        {
            [OAuthClientCredentialsKind.ClientId] = The.ClientId,
            [OAuthClientCredentialsKind.TokenEndpoint] = The.TokenEndpoint.AbsoluteUri,
            [OAuthClientCredentialsKind.ApiEndpoint] = The.ApiEndpoint.AbsoluteUri,
        },
        new Dictionary<string, SecretValue> { [OAuthClientCredentialsKind.ClientSecret] = new SecretValue(The.ClientSecret) });

    /// <summary>Random answers: any status, bodies from noise to near-valid token JSON, odd Retry-After values.</summary>
    private static readonly Gen<Answer> Answers = Gen.Select(
        Gen.OneOf<int>(Gen.Const(200), Gen.Const(201), Gen.Const(400), Gen.Const(401), Gen.Const(429), Gen.Const(500), Gen.Const(503), Gen.Int[100, 599]),
        Gen.Frequency(
            (3, TokenJson()),
            (1, Gen.String.Select(s => s)),
            (1, Gen.Byte.Array[0, 200].Select(b => Encoding.Latin1.GetString(b))),
            (1, Gen.OneOf(Gen.Const("{}"), Gen.Const("[]"), Gen.Const("null"), Gen.Const(""), Gen.Const("{\"error\":5}"), Gen.Const("{\"error\":\"invalid_client\",\"error_description\":null}")))),
        Gen.OneOf(Gen.Const((string?)null), Gen.Const<string?>("30"), Gen.Const<string?>("-5"), Gen.Const<string?>("soon"), Gen.Const<string?>("Wed, 21 Oct 2015 07:28:00 GMT"), Gen.Int[0, 100_000].Select(i => (string?)i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (status, body, retryAfter) => new Answer(status, body, retryAfter));

    private static Gen<string> TokenJson() => Gen.Select(
        Gen.OneOf(Gen.Const("\"tok\""), Gen.Const("\"\""), Gen.Const("null"), Gen.Const("42"), Gen.Const("{}"), Gen.Const("[\"a\"]"), Gen.String.Select(s => System.Text.Json.JsonSerializer.Serialize(s))),
        Gen.OneOf(Gen.Const("\"Bearer\""), Gen.Const("\"bearer\""), Gen.Const("\"mac\""), Gen.Const("null"), Gen.Const("7")),
        Gen.OneOf(Gen.Const("3600"), Gen.Const("\"3600\""), Gen.Const("0"), Gen.Const("-1"), Gen.Const("1e308"), Gen.Const("\"NaN\""), Gen.Const("\"Infinity\""), Gen.Const("null"), Gen.Const("1.5"), Gen.Const("{}"), Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        Gen.Bool,
        (token, type, expiresIn, truncate) =>
        {
            var json = $"{{\"access_token\":{token},\"token_type\":{type},\"expires_in\":{expiresIn},\"refresh_token\":\"r\"}}";
            return truncate ? json[..(json.Length / 2)] : json;
        });

    private static byte[] Mutate(int kind, int position, int length, byte[] bytes)
    {
        var envelope = (byte[])Valid.Clone();
        var at = position % envelope.Length;
        return kind switch
        {
            0 => envelope[..at],
            1 => [.. envelope, .. bytes],
            2 => Flip(envelope, at, bytes[0]),
            3 => [.. envelope[..at], .. bytes, .. envelope[at..]],
            4 => [.. envelope[..at], .. Other[Math.Min(at, Other.Length)..]],
            _ => [.. envelope[..at], .. envelope[Math.Min(envelope.Length, at + length)..]],
        };
    }

    private static byte[] Flip(byte[] envelope, int at, byte mask)
    {
        envelope[at] ^= mask == 0 ? (byte)1 : mask;
        return envelope;
    }

    private static void OpensOrFailsCleanly(byte[] envelope)
    {
        var opened = Guard(() => Vault.Open(envelope, Company, Field));
        if (opened is not null)
        {
            // Splicing can rebuild the other genuine envelope of this company and field, which rightly opens.
            (envelope.AsSpan().SequenceEqual(Valid) || envelope.AsSpan().SequenceEqual(Other)).Should().BeTrue("only untouched envelopes open");
            opened.Should().Equal(envelope.AsSpan().SequenceEqual(Valid) ? Plaintext : "another"u8.ToArray());
        }
    }

    /// <summary>Runs <paramref name="act"/>: a result, or a <see cref="CredentialVaultException"/> (null); anything else fails.</summary>
    private static T? Guard<T>(Func<T> act)
        where T : class
    {
        try
        {
            return act();
        }
        catch (CredentialVaultException ex)
        {
            ex.Message.Should().StartWith("The credential envelope could not be opened.");
            return null;
        }
    }

    public sealed record Answer(int Status, string Body, string? RetryAfter)
    {
        public HttpResponseMessage ToResponse()
        {
            var response = new HttpResponseMessage((HttpStatusCode)Status) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            if (RetryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", RetryAfter);
            }

            return response;
        }
    }

    private sealed class SingleAnswerFactory(Answer answer) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new AnswerHandler(answer));

        private sealed class AnswerHandler(Answer answer) : HttpMessageHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
                => Task.FromResult(answer.ToResponse());
        }
    }
}
