using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EInvoice.Transmission.Security.Tests.Kinds;

/// <summary>
/// A host's own credential kind, written against the public extension point only, in the style of Poland's KSeF 2.0:
/// a challenge, proof of the company's KSeF token, then an access token ("a dozen or so minutes") and a reusable
/// refresh token (up to 7 days) that is refused with HTTP 400 once revoked or expired.
/// </summary>
/// <remarks>
/// <para>
/// Login: <c>POST {api}/auth/challenge</c> → <c>{"challenge", "timestampMs"}</c>; then <c>POST {api}/auth/ksef-token</c>
/// with <c>{"challenge", "contextNip", "encryptedToken"}</c> → <c>{"accessToken": {"token", "validUntil"},
/// "refreshToken": {"token", "validUntil"}}</c>. Refresh: <c>POST {api}/auth/token/refresh</c> with
/// <c>Authorization: Bearer &lt;refreshToken&gt;</c> → <c>{"accessToken": {...}}</c>.
/// </para>
/// <para>
/// Real KSeF encrypts <c>token|timestampMs</c> with RSA-OAEP SHA-256 under the ministry's public key. Here the proof
/// is Base64(HMAC-SHA256(key = the KSeF token, message = <c>challenge|timestampMs</c>)): deterministic, so the test
/// server can check that the stored secret reached the kind, and never the token itself.
/// </para>
/// <para>
/// Written as a host would: only public members of the library. (The test assembly sees the library's internals,
/// so C# makes the overrides <c>protected internal</c>; a host's assembly writes <c>protected override</c>.)
/// </para>
/// </remarks>
public sealed class KsefStyleKind : CredentialKind
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "ksef_style";

    /// <summary>The KSeF API base, such as <c>https://ksef-demo.mf.gov.pl/api/v2/</c> (required).</summary>
    public const string ApiEndpoint = CredentialField.ApiEndpointName;

    /// <summary>The login context: the company's NIP, 10 digits with a check digit (required).</summary>
    public const string ContextNip = "context_nip";

    /// <summary>The KSeF token (secret; required).</summary>
    public const string KsefToken = "ksef_token";

    /// <summary>The error code of a refused refresh token (HTTP 400: revoked or expired).</summary>
    public const string RefreshRefused = "invalid_grant";

    /// <summary>KSeF speaks camelCase JSON.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly int[] NipWeights = [6, 5, 7, 2, 3, 4, 5, 6, 7];

    public KsefStyleKind()
        : base(
            KindName,
            [
                CredentialField.Endpoint(ApiEndpoint, isRequired: true),
                CredentialField.Text(ContextNip, isRequired: true, maxLength: 10),
                CredentialField.Secret(KsefToken, isRequired: true),
            ])
    {
    }

    /// <inheritdoc/>
    public override bool UsesAccessToken => true;

    /// <summary>The proof of the KSeF token for one challenge.</summary>
    public static string DeriveProof(string ksefToken, string challenge, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(ksefToken);
        var message = string.Create(CultureInfo.InvariantCulture, $"{challenge}|{timestampMs}");
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ksefToken), Encoding.UTF8.GetBytes(message)));
    }

    /// <summary>Whether <paramref name="nip"/> is a Polish NIP: 10 digits, the last the weighted sum of the others modulo 11.</summary>
    public static bool IsValidNip(string? nip)
    {
        if (nip is not { Length: 10 } || !nip.All(char.IsAsciiDigit))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < NipWeights.Length; i++)
        {
            sum += (nip[i] - '0') * NipWeights[i];
        }

        return sum % 11 == nip[9] - '0';
    }

    /// <inheritdoc/>
    protected internal override void Validate(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!IsValidNip(values.GetSetting(ContextNip)))
        {
            throw new ArgumentException($"Settings[\"{ContextNip}\"] must be a Polish NIP: 10 digits, the last one a valid check digit.");
        }
    }

    /// <inheritdoc/>
    protected internal override async Task<IssuedToken> RequestTokenAsync(TokenRequestContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = context.Values;
        var challenge = await PostAsync<AuthChallenge>(context, "auth/challenge", content: null, bearer: null, cancellationToken);
        if (string.IsNullOrEmpty(challenge.Challenge))
        {
            throw InvalidResponse(context, "auth/challenge", "no challenge");
        }

        var proof = new KsefTokenRequest(
            challenge.Challenge,
            values.GetSetting(ContextNip)!,
            DeriveProof(values.GetSecret(KsefToken)!.Reveal(), challenge.Challenge, challenge.TimestampMs));
        var tokens = await PostAsync<AuthTokens>(context, "auth/ksef-token", JsonContent.Create(proof, options: Json), bearer: null, cancellationToken);
        if (tokens.RefreshToken?.Token is not { Length: > 0 } refreshToken)
        {
            throw InvalidResponse(context, "auth/ksef-token", "no refresh token");
        }

        return Issue(context, "auth/ksef-token", tokens.AccessToken, new SecretValue(refreshToken));
    }

    /// <inheritdoc/>
    protected internal override async Task<IssuedToken> RefreshTokenAsync(TokenRequestContext context, SecretValue refreshToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refreshToken);
        var refreshed = await PostAsync<RefreshedToken>(context, "auth/token/refresh", content: null, refreshToken, cancellationToken);

        // KSeF's refresh token is reusable until it expires: keep it for the next refresh.
        return Issue(context, "auth/token/refresh", refreshed.AccessToken, refreshToken);
    }

    private static async Task<T> PostAsync<T>(TokenRequestContext context, string path, HttpContent? content, SecretValue? bearer, CancellationToken cancellationToken)
        where T : class
    {
        var api = context.Values.GetUri(ApiEndpoint)!;
        var baseUri = api.AbsoluteUri.EndsWith('/') ? api : new Uri(api.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, path)) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer.Reveal());
        }

        using var response = await context.HttpClient.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await RefusalAsync(context, path, response, cancellationToken);
        }

        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) ?? throw InvalidResponse(context, path, "an empty body");
        }
        catch (JsonException)
        {
            throw InvalidResponse(context, path, "a body that is not the expected JSON");
        }
    }

    /// <summary>
    /// KSeF's refusal as the library expects it: 400 to a refresh is a revoked or expired refresh token, 401 and 403 are
    /// refused credentials (permanent), 429 and 5xx are transient. The description carries KSeF's own text as it came;
    /// the library scrubs the company's secrets from it.
    /// </summary>
    private static async Task<OAuthTokenException> RefusalAsync(TokenRequestContext context, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var code = (int)status;
        var transient = code is 408 or 429 or >= 500;
        var error = status switch
        {
            HttpStatusCode.BadRequest when path == "auth/token/refresh" => RefreshRefused,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "unauthorized",
            HttpStatusCode.TooManyRequests => "rate_limited",
            _ when transient => "server_error",
            _ => "invalid_request",
        };

        string? said = null;
        try
        {
            said = (await response.Content.ReadFromJsonAsync<KsefError>(Json, cancellationToken))?.Exception?.ExceptionDetailList?
                .Select(d => d.ExceptionDescription).FirstOrDefault(d => !string.IsNullOrEmpty(d));
        }
        catch (JsonException)
        {
        }

        var description = string.Create(CultureInfo.InvariantCulture, $"KSeF answered HTTP {code} to {path}") + (said is null ? "." : $": {said}");
        return new OAuthTokenException(context.CompanyId, error, description, status, transient, response.Headers.RetryAfter?.Delta);
    }

    private static IssuedToken Issue(TokenRequestContext context, string path, TokenInfo? access, SecretValue? refreshToken)
    {
        if (access?.Token is not { Length: > 0 } token)
        {
            throw InvalidResponse(context, path, "no access token");
        }

        var lifetime = access.ValidUntil - context.TimeProvider.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            throw InvalidResponse(context, path, "an access token that has already expired");
        }

        return new IssuedToken(new SecretValue(token), refreshToken, access.ValidUntil, lifetime);
    }

    private static OAuthTokenException InvalidResponse(TokenRequestContext context, string path, string what)
        => new(context.CompanyId, OAuthTokenException.InvalidTokenResponse, $"KSeF answered {path} with {what}.", null, isTransient: true);
}

/// <summary><c>POST /auth/challenge</c>'s answer.</summary>
public sealed record AuthChallenge(string Challenge, long TimestampMs);

/// <summary><c>POST /auth/ksef-token</c>'s body.</summary>
public sealed record KsefTokenRequest(string Challenge, string ContextNip, string EncryptedToken);

/// <summary>A token and when it expires.</summary>
public sealed record TokenInfo(string Token, DateTimeOffset ValidUntil);

/// <summary><c>POST /auth/ksef-token</c>'s answer.</summary>
public sealed record AuthTokens(TokenInfo AccessToken, TokenInfo RefreshToken);

/// <summary><c>POST /auth/token/refresh</c>'s answer.</summary>
public sealed record RefreshedToken(TokenInfo AccessToken);

/// <summary>KSeF's error body: <c>{"exception": {"exceptionDetailList": [{"exceptionCode", "exceptionDescription"}]}}</c>.</summary>
public sealed record KsefError(KsefException Exception);

/// <summary>The <c>exception</c> of <see cref="KsefError"/>.</summary>
public sealed record KsefException(IReadOnlyList<KsefExceptionDetail> ExceptionDetailList);

/// <summary>One entry of <see cref="KsefException.ExceptionDetailList"/>.</summary>
public sealed record KsefExceptionDetail(int ExceptionCode, string ExceptionDescription);
