using System.Globalization;
using System.Net;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Thrown instead of sending a request without its credentials: no access token (or API key) could be attached.
/// </summary>
/// <remarks>
/// <see cref="Error"/> is the RFC 6749 section 5.2 error code from the token endpoint (<c>invalid_client</c>,
/// <c>invalid_scope</c>, …) or one of the library's codes, the constants of this class; an <c>error</c> that is not a
/// plain error code, or holds a secret, becomes <see cref="UnrecognizedError"/>. <see cref="IsTransient"/> says
/// whether trying again later can help (5xx, 429, network failure, timeout) or the credentials must be fixed. The
/// message and properties never contain a secret or a token.
/// </remarks>
public sealed class OAuthTokenException : Exception
{
    /// <summary>The company has no stored credentials.</summary>
    public const string CredentialsNotFound = "credentials_not_found";

    /// <summary>The stored credentials cannot be opened (their key left the ring, or they were tampered with).</summary>
    public const string CredentialsUnreadable = "credentials_unreadable";

    /// <summary>Storage could not be read.</summary>
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>The credentials belong to another environment than the client (a sandbox credential on a production client, or the reverse).</summary>
    public const string EnvironmentMismatch = "environment_mismatch";

    /// <summary>The request goes to another origin than the API endpoint stored with the credentials.</summary>
    public const string EndpointMismatch = "endpoint_mismatch";

    /// <summary>The token endpoint could not be reached.</summary>
    public const string NetworkError = "network_error";

    /// <summary>The token endpoint did not answer within <see cref="OAuthOptions.TokenRequestTimeout"/>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The token endpoint answered with something that is not a usable token response.</summary>
    public const string InvalidTokenResponse = "invalid_token_response";

    /// <summary>
    /// The token endpoint answered with a redirect (HTTP 3xx). Transient: the credentials are not marked invalid, and the
    /// company backs off before asking again.
    /// </summary>
    /// <remarks>
    /// The redirect is never followed with the credentials, and its <c>Location</c> is not shown, because it may carry
    /// anything. Store the token endpoint's final address instead.
    /// </remarks>
    public const string TokenEndpointRedirected = "token_endpoint_redirected";

    /// <summary>
    /// The token endpoint sent an <c>error</c> that is not an error code the library can show: not of the form
    /// <c>^[a-z0-9][a-z0-9_.-]{0,63}$</c> (RFC 6749 codes such as <c>invalid_client</c> are), or holding a secret of the
    /// company in some encoding. Its text is withheld; <see cref="StatusCode"/> and <see cref="IsTransient"/> still
    /// classify the failure.
    /// </summary>
    public const string UnrecognizedError = "unrecognized_error";

    /// <summary>Creates the exception.</summary>
    public OAuthTokenException()
        : base("No access token could be obtained.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">A message without secrets.</param>
    public OAuthTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">A message without secrets.</param>
    /// <param name="innerException">The cause.</param>
    public OAuthTokenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// Creates the exception for a token request that was refused or failed; a <see cref="CredentialKind"/> of the host
    /// throws it from its token requests.
    /// </summary>
    /// <param name="companyId">The company.</param>
    /// <param name="error">An error code such as RFC 6749's <c>invalid_client</c>; never a secret.</param>
    /// <param name="errorDescription">What went wrong; the library scrubs every secret of the company from a kind's description before anyone sees it.</param>
    /// <param name="statusCode">The HTTP status, if there was an answer.</param>
    /// <param name="isTransient">Whether asking again later may succeed; a permanent refusal is not asked again with the same credentials.</param>
    /// <param name="retryAfter">How long the platform asked to wait, if it did.</param>
    /// <param name="innerException">The cause.</param>
    public OAuthTokenException(
        string companyId,
        string error,
        string? errorDescription,
        HttpStatusCode? statusCode,
        bool isTransient,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(Describe(companyId, error, errorDescription, statusCode, isTransient), innerException)
    {
        CompanyId = companyId;
        Error = error;
        ErrorDescription = errorDescription;
        StatusCode = statusCode;
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>Whether <paramref name="error"/> is one of the library's own codes, which no identity provider or credential kind may answer with.</summary>
    internal static bool IsLibraryCode(string error)
        => error is CredentialsNotFound or CredentialsUnreadable or StorageUnavailable or EnvironmentMismatch or EndpointMismatch
            or NetworkError or Timeout or InvalidTokenResponse or TokenEndpointRedirected or UnrecognizedError;

    /// <summary>Gets the company whose request could not be authenticated.</summary>
    public string? CompanyId { get; }

    /// <summary>Gets the OAuth error code, or one of this class's constants.</summary>
    public string? Error { get; }

    /// <summary>
    /// Gets the token endpoint's <c>error_description</c>, untrusted text made safe to show: every known secret of the
    /// company (in raw, percent-, form-, Base64, Base64url, JSON and HTML encodings, in any letter case) and every run of
    /// 24 or more token characters replaced with <c>[redacted]</c>, line breaks as spaces, at most 256 characters;
    /// <see langword="null"/> when there was none or it held other control or format characters. For the library's own
    /// codes, a description of the failure.
    /// </summary>
    public string? ErrorDescription { get; }

    /// <summary>Gets the HTTP status of the token endpoint's answer, if there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets a value indicating whether trying again later can succeed without changing the credentials.</summary>
    public bool IsTransient { get; }

    /// <summary>Gets how long the library waits before it asks the token endpoint again for this company.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>A copy (an exception instance is never thrown to two callers) saying when the library asks again.</summary>
    /// <summary>A failure that may pass: the library backs off and asks again (network, timeout, server error, nonsense answer).</summary>
    internal static OAuthTokenException Transient(string companyId, string error, string? description, HttpStatusCode? status = null, TimeSpan? retryAfter = null, Exception? inner = null)
        => new(companyId, error, description, status, isTransient: true, retryAfter, inner);

    /// <summary>A refusal or a state that asking again cannot change until the credentials change.</summary>
    internal static OAuthTokenException Permanent(string companyId, string error, string? description, HttpStatusCode? status = null, Exception? inner = null)
        => new(companyId, error, description, status, isTransient: false, null, inner);

    /// <summary>The request's client or address does not fit the stored credentials (<see cref="EnvironmentMismatch"/> or <see cref="EndpointMismatch"/>): nothing was asked of anyone.</summary>
    internal static OAuthTokenException Mismatch(string companyId, string error, string description)
        => new(companyId, error, description, null, isTransient: false, null);

    /// <summary>An answer of the identity provider (or of a host's kind), already filtered: transient or permanent as its status says.</summary>
    internal static OAuthTokenException Answer(string companyId, string error, string? description, HttpStatusCode? status, bool isTransient, TimeSpan? retryAfter)
        => new(companyId, error, description, status, isTransient, retryAfter);

    internal OAuthTokenException WithRetryAfter(TimeSpan? retryAfter)
        => new(CompanyId!, Error!, ErrorDescription, StatusCode, IsTransient, retryAfter, InnerException);

    private static string Describe(string companyId, string error, string? description, HttpStatusCode? status, bool transient)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"No credentials could be attached for company '{companyId}': {error}");
        if (!string.IsNullOrEmpty(description))
        {
            text += $" ({description})";
        }

        if (status is { } code)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", HTTP {(int)code}");
        }

        return text + (transient
            ? "; transient, it may succeed later."
            : "; permanent: no token is requested again with these credentials until they change or a connection test succeeds.");
    }
}
