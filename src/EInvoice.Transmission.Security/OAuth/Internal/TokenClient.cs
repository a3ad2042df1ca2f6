using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Sends one token request (client credentials or refresh token grant) and turns the answer into a
/// <see cref="TokenResult"/> or an <see cref="OAuthTokenException"/>. Knows nothing about caching.
/// </summary>
/// <remarks>
/// Malformed answers have one defined behaviour: a 2xx answer that is not a JSON object, has no <c>access_token</c>,
/// names a <c>token_type</c> other than Bearer, or has an <c>expires_in</c> under one second (zero and negative
/// included) or not a number
/// fails with <see cref="OAuthTokenException.InvalidTokenResponse"/>, transient, so the company backs off before the
/// next attempt instead of looping. A missing <c>expires_in</c> means <see cref="OAuthOptions.DefaultTokenLifetime"/>;
/// a numeric string is accepted as a number, as some identity providers send it.
/// </remarks>
internal sealed class TokenClient(IHttpClientFactory httpClientFactory, IOptions<OAuthOptions> options, TimeProvider timeProvider)
{
    public const string ClientCredentialsGrant = "client_credentials";
    public const string RefreshTokenGrant = "refresh_token";

    private const int MaxResponseSize = 256 * 1024;
    private readonly OAuthOptions _options = options.Value;

    /// <summary>Requests a token; <paramref name="refreshToken"/> selects the refresh token grant.</summary>
    /// <exception cref="OAuthTokenException">The endpoint refused, failed, timed out or answered nonsense.</exception>
    public async Task<TokenResult> RequestAsync(TransmissionCredentials credentials, SecretValue? refreshToken, CancellationToken cancellationToken)
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
            throw new OAuthTokenException(companyId, OAuthTokenException.Timeout, $"no answer within {_options.TokenRequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", null, isTransient: true, null, ex);
        }
        catch (HttpRequestException ex)
        {
            // The message of an HttpRequestException names the host and the socket error, never the form body.
            throw new OAuthTokenException(companyId, OAuthTokenException.NetworkError, ex.HttpRequestError.ToString(), ex.StatusCode, isTransient: true, null, ex);
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
                throw new OAuthTokenException(companyId, OAuthTokenException.Timeout, "the answer did not arrive in time", response.StatusCode, isTransient: true, null, ex);
            }
            catch (HttpRequestException ex)
            {
                throw new OAuthTokenException(companyId, OAuthTokenException.NetworkError, "the answer could not be read", response.StatusCode, isTransient: true, null, ex);
            }

            return response.IsSuccessStatusCode
                ? ParseToken(companyId, response.StatusCode, body, sentAt)
                : throw ParseError(credentials, response, body);
        }
    }

    /// <summary>RFC 6749 section 2.3.1 / appendix B: form-urlencode (space as '+'), then use as Basic user and password.</summary>
    internal static string FormUrlEncode(string value) => Uri.EscapeDataString(value).Replace("%20", "+", StringComparison.Ordinal);

    private static OAuthTokenException InvalidResponse(string companyId, HttpStatusCode status, string what, Exception? inner = null)
        => new(companyId, OAuthTokenException.InvalidTokenResponse, what, status, isTransient: true, null, inner);

    /// <summary>The stored secrets, and the id:secret pairs of Basic authentication, which an endpoint might echo back.</summary>
    private static IEnumerable<SecretValue> SecretsIn(TransmissionCredentials credentials)
    {
        foreach (var secret in credentials.Secrets())
        {
            yield return secret;
        }

        if (credentials.ClientSecret is { } clientSecret)
        {
            var clientId = credentials.ClientId ?? string.Empty;
            yield return new SecretValue($"{FormUrlEncode(clientId)}:{FormUrlEncode(clientSecret.Reveal())}");
            yield return new SecretValue($"{clientId}:{clientSecret.Reveal()}");
        }
    }

    private static bool IsTransientStatus(HttpStatusCode status)
        => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static string? ReadString(JsonElement root, string name)
        => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private HttpRequestMessage CreateRequest(TransmissionCredentials credentials, SecretValue? refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>(5);
        if (refreshToken is null)
        {
            form.Add(new("grant_type", ClientCredentialsGrant));
            var scope = credentials.Scope ?? _options.DefaultScope;
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

        var request = new HttpRequestMessage(HttpMethod.Post, credentials.TokenEndpoint);
        var clientId = credentials.ClientId ?? string.Empty;
        var clientSecret = credentials.ClientSecret?.Reveal() ?? string.Empty;
        if (_options.ClientAuthentication == OAuthClientAuthentication.ClientSecretBasic)
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

    private TokenResult ParseToken(string companyId, HttpStatusCode status, byte[] body, DateTimeOffset sentAt)
    {
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
                throw InvalidResponse(companyId, status, $"token_type '{tokenType}' is not Bearer");
            }

            var lifetime = ReadLifetime(companyId, status, root);
            var refreshToken = ReadString(root, "refresh_token");
            return new TokenResult(
                new SecretValue(accessToken),
                string.IsNullOrEmpty(refreshToken) ? null : new SecretValue(refreshToken),
                sentAt + lifetime,
                lifetime);
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

    private OAuthTokenException ParseError(TransmissionCredentials credentials, HttpResponseMessage response, byte[] body)
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
        return new OAuthTokenException(
            credentials.CompanyId,
            string.IsNullOrWhiteSpace(error) ? (transient ? "temporarily_unavailable" : "invalid_request") : error,
            SecretScrubber.Scrub(description, SecretsIn(credentials)),
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
