using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Sends one token request (client credentials or refresh token grant) and turns the answer into a
/// <see cref="IssuedToken"/> or an <see cref="OAuthTokenException"/>. Knows nothing about caching.
/// </summary>
/// <remarks>
/// <para>
/// Malformed answers have one defined behaviour: a 2xx answer that is not a JSON object, has no <c>access_token</c>,
/// names a <c>token_type</c> other than Bearer, or has an <c>expires_in</c> under one second (zero and negative
/// included) or not a number
/// fails with <see cref="OAuthTokenException.InvalidTokenResponse"/>, transient, so the company backs off before the
/// next attempt instead of looping. A missing <c>expires_in</c> means <see cref="OAuthOptions.DefaultTokenLifetime"/>;
/// a numeric string is accepted as a number, as some identity providers send it.
/// </para>
/// <para>
/// Text from the identity provider is untrusted: it may echo a secret, in any encoding. An <c>error</c> is kept only
/// when it is an error code (<c>^[a-z0-9][a-z0-9_.-]{0,63}$</c>) holding no known secret in any form
/// <see cref="SecretScrubber"/> knows; otherwise it becomes <see cref="OAuthTokenException.UnrecognizedError"/>. An
/// <c>error_description</c> has every known secret of the company replaced with <c>[redacted]</c>, then every run of
/// 24 or more token characters (an unknown encoding of a secret would look like one), has line breaks and tabs turned
/// into spaces, is dropped whole if any other control or format character remains, and is cut to 256 characters.
/// </para>
/// <para>
/// A 3xx answer fails as <see cref="OAuthTokenException.TokenEndpointRedirected"/>, transient: the redirect is never
/// followed with the credentials, and its <c>Location</c> is never shown. Network failures and timeouts name the
/// token endpoint's scheme, host and port, never its path or query.
/// </para>
/// </remarks>
internal sealed partial class TokenClient(IHttpClientFactory httpClientFactory, IOptions<OAuthOptions> options, TimeProvider timeProvider)
{
    public const string ClientCredentialsGrant = "client_credentials";
    public const string RefreshTokenGrant = "refresh_token";

    private const int MaxResponseSize = 256 * 1024;
    private const int MaxDescriptionLength = 256;
    private readonly OAuthOptions _options = options.Value;

    /// <summary>Requests a token; <paramref name="refreshToken"/> selects the refresh token grant.</summary>
    /// <exception cref="OAuthTokenException">The endpoint refused, failed, timed out or answered nonsense.</exception>
    public async Task<IssuedToken> RequestAsync(CredentialValues credentials, SecretValue? refreshToken, CancellationToken cancellationToken)
    {
        var companyId = credentials.CompanyId;
        using var timeout = new CancellationTokenSource(_options.TokenRequestTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var request = CreateRequest(credentials, refreshToken);

        var sentAt = timeProvider.GetUtcNow();
        HttpResponseMessage response;
        try
        {
            var client = httpClientFactory.CreateClient(EInvoiceTransmissionDefaults.TokenHttpClientName);
            client.MaxResponseContentBufferSize = MaxResponseSize;

            // WaitAsync as well: the timeout must hold even for a handler that ignores cancellation.
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw OAuthTokenException.Transient(companyId, OAuthTokenException.Timeout, $"no answer from {Origin(request)} within {_options.TokenRequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            // The message of an HttpRequestException names the host and the socket error, never the form body.
            throw OAuthTokenException.Transient(companyId, OAuthTokenException.NetworkError, $"{ex.HttpRequestError} calling {Origin(request)}", ex.StatusCode, inner: ex);
        }

        using (response)
        {
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw OAuthTokenException.Transient(companyId, OAuthTokenException.Timeout, $"the answer from {Origin(request)} did not arrive in time", response.StatusCode, inner: ex);
            }
            catch (HttpRequestException ex)
            {
                throw OAuthTokenException.Transient(companyId, OAuthTokenException.NetworkError, $"the answer from {Origin(request)} could not be read", response.StatusCode, inner: ex);
            }

            if ((int)response.StatusCode is >= 300 and < 400)
            {
                // Following it would post the credentials to wherever Location points; Location itself may carry anything.
                throw OAuthTokenException.Transient(
                    companyId,
                    OAuthTokenException.TokenEndpointRedirected,
                    "the token endpoint answered with a redirect, and redirects are never followed with credentials; store the token endpoint's final address",
                    response.StatusCode,
                    RetryAfter(response));
            }

            return response.IsSuccessStatusCode
                ? ParseToken(credentials, refreshToken, response.StatusCode, body, sentAt)
                : throw ParseError(credentials, refreshToken, response, body);
        }
    }

    /// <summary>RFC 6749 section 2.3.1 / appendix B: form-urlencode (space as '+'), then use as Basic user and password.</summary>
    internal static string FormUrlEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static OAuthTokenException InvalidResponse(string companyId, HttpStatusCode status, string what, Exception? inner = null)
        => OAuthTokenException.Transient(companyId, OAuthTokenException.InvalidTokenResponse, what, status, inner: inner);

    /// <summary>The stored secrets, the refresh token sent, and the id:secret pairs of Basic authentication, which an endpoint might echo back.</summary>
    private static IEnumerable<SecretValue> SecretsIn(CredentialValues credentials, SecretValue? refreshToken)
    {
        foreach (var secret in credentials.OpenedSecrets)
        {
            yield return secret;
        }

        // The refresh token sent may be a newer one than the stored credentials hold.
        if (refreshToken is not null)
        {
            yield return refreshToken;
        }

        if (credentials.GetSecret(OAuthClientCredentialsKind.ClientSecret) is { } clientSecret)
        {
            var clientId = credentials.GetSetting(OAuthClientCredentialsKind.ClientId) ?? string.Empty;
            yield return new SecretValue($"{FormUrlEncode(clientId)}:{FormUrlEncode(clientSecret.Reveal())}");
            yield return new SecretValue($"{clientId}:{clientSecret.Reveal()}");
        }
    }

    /// <summary>The token endpoint as messages name it (<see cref="OriginText"/>): not a secret, and what an operator needs to find a network fault.</summary>
    private static string Origin(HttpRequestMessage request) => OriginText.Of(request.RequestUri) ?? "the token endpoint";

    /// <summary>The identity provider's <c>error</c>, if it is an error code and holds no known secret.</summary>
    internal static string? TrustedErrorCode(string error, IEnumerable<SecretValue> secrets)
        => ErrorCodeSyntax().IsMatch(error) && !OAuthTokenException.IsLibraryCode(error) && !SecretScrubber.ContainsSecret(error, secrets) ? error : null;

    /// <summary>The identity provider's <c>error_description</c> without known secrets and token-like runs, or <see langword="null"/>.</summary>
    internal static string? TrustedDescription(string? description, IEnumerable<SecretValue> secrets)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return null;
        }

        var text = SecretScrubber.Scrub(description, secrets)!;
        text = SecretScrubber.RedactTokenRuns(text);

        // Entra ID and others break their descriptions into lines: those are kept as spaces. Any other control or
        // format character (a bidi override, say) is a reason to trust none of the text.
        var builder = new StringBuilder(Math.Min(text.Length, MaxDescriptionLength + 1));
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\r' or '\n' or '\t')
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }

                continue;
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                || rune == Rune.ReplacementChar)
            {
                return null;
            }

            builder.Append(rune.ToString());
        }

        text = builder.ToString().Trim();
        if (text.Length > MaxDescriptionLength)
        {
            // Cutting after scrubbing removes text, it cannot reveal any; never in the middle of a surrogate pair.
            var cut = char.IsHighSurrogate(text[MaxDescriptionLength - 2]) ? MaxDescriptionLength - 2 : MaxDescriptionLength - 1;
            text = string.Concat(text.AsSpan(0, cut), "…");
        }

        return text.Length == 0 ? null : text;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.\\-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorCodeSyntax();

    [GeneratedRegex("^[A-Za-z0-9_.\\-]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TokenTypeSyntax();

    private static bool IsTransientStatus(HttpStatusCode status)
        => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>
    /// The refresh token's lifetime when the platform reports it — <c>refresh_expires_in</c> (Keycloak and others) or
    /// <c>refresh_token_expires_in</c> — in whole seconds, one second to ten years; otherwise <see langword="null"/>
    /// (RFC 6749 defines no such member, so a value that is not one is ignored rather than refused).
    /// </summary>
    private static TimeSpan? ReadRefreshTokenLifetime(JsonElement root)
    {
        foreach (var name in (ReadOnlySpan<string>)["refresh_expires_in", "refresh_token_expires_in"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds is >= 1 and <= 315_360_000)
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return null;
    }

    private static string? ReadString(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private HttpRequestMessage CreateRequest(CredentialValues credentials, SecretValue? refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>(5);
        if (refreshToken is null)
        {
            form.Add(new("grant_type", ClientCredentialsGrant));
            var scope = credentials.GetSetting(OAuthClientCredentialsKind.Scope) ?? _options.DefaultScope;
            if (!string.IsNullOrEmpty(scope))
            {
                form.Add(new("scope", scope));
            }
        }
        else
        {
            form.Add(new("grant_type", RefreshTokenGrant));
            form.Add(new("refresh_token", refreshToken.Reveal()));
        }

        // Extra parameters and headers of the company's identity provider (MyInvois intermediaries: onbehalfof).
        form.AddRange(credentials.GetSettingFamily(OAuthClientCredentialsKind.TokenParameterPrefix));
        var request = new HttpRequestMessage(HttpMethod.Post, credentials.GetUri(OAuthClientCredentialsKind.TokenEndpoint));
        foreach (var (name, value) in credentials.GetSettingFamily(OAuthClientCredentialsKind.TokenHeaderPrefix))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var clientId = credentials.GetSetting(OAuthClientCredentialsKind.ClientId) ?? string.Empty;
        var clientSecret = credentials.GetSecret(OAuthClientCredentialsKind.ClientSecret)?.Reveal() ?? string.Empty;
        var method = credentials.GetSetting(OAuthClientCredentialsKind.ClientAuthentication)
            ?? (_options.ClientAuthentication == OAuthClientAuthentication.ClientSecretBasic ? OAuthClientCredentialsKind.ClientSecretBasic : OAuthClientCredentialsKind.ClientSecretPost);
        if (method == OAuthClientCredentialsKind.ClientSecretBasic)
        {
            var pair = $"{FormUrlEncode(clientId)}:{FormUrlEncode(clientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form.Add(new("client_id", clientId));
            form.Add(new("client_secret", clientSecret));
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private IssuedToken ParseToken(CredentialValues credentials, SecretValue? refreshToken, HttpStatusCode status, byte[] body, DateTimeOffset sentAt)
    {
        var companyId = credentials.CompanyId;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw InvalidResponse(companyId, status, "the answer is not JSON", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw InvalidResponse(companyId, status, "the answer is not a JSON object");
            }

            var accessToken = ReadString(root, "access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                throw InvalidResponse(companyId, status, "the answer has no access_token");
            }

            var tokenType = ReadString(root, "token_type");
            if (tokenType is not null && !tokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                // Named only when it looks like a token type (DPoP, mac): the value is the other side's text.
                throw InvalidResponse(
                    companyId,
                    status,
                    TokenTypeSyntax().IsMatch(tokenType) && !SecretScrubber.ContainsSecret(tokenType, SecretsIn(credentials, refreshToken))
                        ? $"token_type '{tokenType}' is not Bearer"
                        : "token_type is not Bearer");
            }

            var lifetime = ReadLifetime(companyId, status, root);
            var newRefreshToken = ReadString(root, "refresh_token");
            return new IssuedToken(
                new SecretValue(accessToken),
                string.IsNullOrEmpty(newRefreshToken) ? null : new SecretValue(newRefreshToken),
                sentAt + lifetime,
                lifetime)
            {
                RefreshTokenExpiresAt = string.IsNullOrEmpty(newRefreshToken) ? null : ReadRefreshTokenLifetime(root) is { } refreshLifetime ? sentAt + refreshLifetime : null,
            };
        }
    }

    private TimeSpan ReadLifetime(string companyId, HttpStatusCode status, JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return _options.DefaultTokenLifetime;
        }

        double seconds;
        if (value.ValueKind == JsonValueKind.Number)
        {
            seconds = value.GetDouble();
        }
        else if (value.ValueKind != JsonValueKind.String
            || !double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
        {
            throw InvalidResponse(companyId, status, "expires_in is not a number");
        }

        // Under a second (zero and negative included) is a token expired on arrival: using it would loop.
        if (!double.IsFinite(seconds) || seconds < 1)
        {
            throw InvalidResponse(companyId, status, "expires_in is less than one second");
        }

        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(365).TotalSeconds));
    }

    private OAuthTokenException ParseError(CredentialValues credentials, SecretValue? refreshToken, HttpResponseMessage response, byte[] body)
    {
        string? error = null, description = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                error = ReadString(document.RootElement, "error");
                description = ReadString(document.RootElement, "error_description");
            }
        }
        catch (JsonException)
        {
            // Not an RFC 6749 error body (a proxy's page, say): the status alone classifies it.
        }

        var status = response.StatusCode;
        var transient = IsTransientStatus(status);
        var secrets = SecretsIn(credentials, refreshToken).ToList();

        return OAuthTokenException.Answer(
            credentials.CompanyId,
            string.IsNullOrWhiteSpace(error) ? (transient ? "temporarily_unavailable" : "invalid_request")
                : TrustedErrorCode(error, secrets) ?? OAuthTokenException.UnrecognizedError,
            TrustedDescription(description, secrets),
            status,
            transient,
            RetryAfter(response));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - timeProvider.GetUtcNow() : null);
        return delay is { } value && value > TimeSpan.Zero ? value : null;
    }
}
