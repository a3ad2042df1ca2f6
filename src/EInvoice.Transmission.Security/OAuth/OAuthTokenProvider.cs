using System.Net;
using System.Net.Http.Json;
using EInvoice.Transmission.Security.Internal;
using Microsoft.Extensions.Logging;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Provides the stored credentials of the request's company to every outgoing request, in the way its
/// <see cref="CredentialKind"/> authenticates: an access token (<c>Authorization: Bearer</c>) that refreshes itself,
/// an API key, HTTP Basic, extra headers — or a host's own kind. Add it to a client with
/// <c>AddEInvoiceAuthentication(environment)</c> and name the company on each request with
/// <see cref="EInvoiceHttpRequestMessageExtensions.SetCompanyId"/>.
/// </summary>
/// <remarks>
/// <para>
/// The handler is created by IHttpClientFactory, which caches handler chains for a while and disposes them later, so
/// it holds no state: tokens live in a singleton cache shared by every client.
/// </para>
/// <para>
/// It never sends a request without its credentials. When none can be attached it throws
/// <see cref="OAuthTokenException"/>: no stored credentials, credentials of another environment than the client's,
/// a request to another origin than the stored API endpoint, or a token endpoint that refuses or fails.
/// </para>
/// <para>
/// On a 401 whose <c>WWW-Authenticate</c> names <c>invalid_token</c> (or no error), it drops the token if it is still
/// the current one, gets a new one and resends the request once, when its content can be sent again (none, or
/// buffered content such as <see cref="StringContent"/>, <see cref="ByteArrayContent"/>, <see cref="FormUrlEncodedContent"/>
/// or <c>JsonContent</c>). An identity provider that hands back the same token still gets the request resent once,
/// with a Warning (event 1114). A 401 after that, and any 403, go back to the caller.
/// </para>
/// <para>
/// The client's environment and the request's origin are checked against the stored credentials before anything
/// else: a request that does not fit never causes a token request. Redirects are never followed with credentials
/// (see <c>AddEInvoiceAuthentication</c>).
/// </para>
/// </remarks>
public sealed class OAuthTokenProvider : DelegatingHandler
{
    private readonly AccessTokenCache _cache;
    private readonly TransmissionEnvironment _environment;
    private readonly ILogger _logger;

    internal OAuthTokenProvider(AccessTokenCache cache, TransmissionEnvironment environment, ILogger<OAuthTokenProvider> logger)
    {
        _cache = cache;
        _environment = environment;
        _logger = logger;
    }

    /// <summary>Not supported: a synchronous send would block a thread on a token request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always; use <c>SendAsync</c>.</exception>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw new NotSupportedException(
            "OAuthTokenProvider only supports asynchronous sends (HttpClient.SendAsync): the base class would otherwise send the request without credentials.");

    /// <summary>Attaches the company's credentials and sends the request; resends once after a 401 with a new token.</summary>
    /// <param name="request">The request; its company is set with <see cref="EInvoiceHttpRequestMessageExtensions.SetCompanyId"/>.</param>
    /// <param name="cancellationToken">Cancels this request only; a token request other requests wait for goes on.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidOperationException">The request names no company.</exception>
    /// <exception cref="OAuthTokenException">No credentials could be attached; the request was not sent.</exception>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var companyId = request.GetCompanyId()
            ?? throw new InvalidOperationException(
                "The request names no company: call request.SetCompanyId(companyId) so that OAuthTokenProvider knows whose credentials to attach.");

        var pending = _cache.GetAsync(companyId, new Requester(_environment, request.RequestUri), cancellationToken);
        if (!pending.IsCompletedSuccessfully)
        {
            return SendAfterTokenAsync(request, pending, cancellationToken);
        }

        var snapshot = pending.Result;
        Authorize(request, snapshot);
        var sending = base.SendAsync(request, cancellationToken);

        // With a token, watch for a 401 — unless the answer is already here and is not one (no continuation needed).
        return !snapshot.UsesAccessToken
            || (sending.IsCompletedSuccessfully && sending.Result.StatusCode != HttpStatusCode.Unauthorized)
            ? sending
            : RetryOnUnauthorizedAsync(request, snapshot, sending, cancellationToken);
    }

    private static bool IsTokenRejection(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) && challenge.Parameter is { } parameter
                && parameter.Contains("error=", StringComparison.OrdinalIgnoreCase))
            {
                return parameter.Contains("error=\"invalid_token\"", StringComparison.OrdinalIgnoreCase)
                    || parameter.Contains("error=invalid_token", StringComparison.OrdinalIgnoreCase);
            }
        }

        return true;
    }

    private static bool CanResend(HttpRequestMessage request)
        => request.Content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;

    /// <summary>Sets the credentials on the request; the cache has checked the environment and origin.</summary>
    private static void Authorize(HttpRequestMessage request, AuthSnapshot snapshot)
    {
        if (snapshot.Authorization is { } authorization)
        {
            request.Headers.Authorization = authorization;
        }

        var headers = snapshot.Headers;
        for (var i = 0; i < headers.Length; i++)
        {
            request.Headers.Remove(headers[i].Key);
            request.Headers.TryAddWithoutValidation(headers[i].Key, headers[i].Value);
        }
    }

    private async Task<HttpResponseMessage> SendAfterTokenAsync(HttpRequestMessage request, ValueTask<AuthSnapshot> pending, CancellationToken cancellationToken)
    {
        var snapshot = await pending.ConfigureAwait(false);
        Authorize(request, snapshot);
        var sending = base.SendAsync(request, cancellationToken);
        return snapshot.UsesAccessToken
            ? await RetryOnUnauthorizedAsync(request, snapshot, sending, cancellationToken).ConfigureAwait(false)
            : await sending.ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> RetryOnUnauthorizedAsync(HttpRequestMessage request, AuthSnapshot used, Task<HttpResponseMessage> sending, CancellationToken cancellationToken)
    {
        var response = await sending.ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !IsTokenRejection(response))
        {
            return response;
        }

        // The token is bad whether or not this request can be resent: the next request gets a new one.
        _cache.Invalidate(used);
        if (!CanResend(request))
        {
            return response;
        }

        var fresh = await _cache.GetAsync(used.CompanyId, new Requester(_environment, request.RequestUri), cancellationToken).ConfigureAwait(false);
        if (ReferenceEquals(fresh.AccessToken, used.AccessToken) || fresh.AccessToken?.Reveal() == used.AccessToken?.Reveal())
        {
            // Some identity providers hand back the still-valid token instead of a new one (India's IRP does until its
            // last ten minutes). The 401 may have been the API's passing fault, so the request is resent once anyway
            // — still at most once per request — and the operator is told.
            _logger.UnauthorizedSameTokenResent(used.CompanyId);
        }
        else
        {
            _logger.UnauthorizedRetry(used.CompanyId);
        }

        _cache.Telemetry.UnauthorizedRetry();
        response.Dispose();
        Authorize(request, fresh);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
