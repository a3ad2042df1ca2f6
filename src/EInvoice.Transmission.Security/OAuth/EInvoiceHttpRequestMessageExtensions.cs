namespace EInvoice.Transmission.Security;

/// <summary>Names the company a transmission request is sent for, so that <see cref="OAuthTokenProvider"/> attaches its credentials.</summary>
public static class EInvoiceHttpRequestMessageExtensions
{
    /// <summary>The request option that carries the company id.</summary>
    public static readonly HttpRequestOptionsKey<string> CompanyIdKey = new("EInvoice.Transmission.Security.CompanyId");

    /// <summary>Sends this request with the credentials of <paramref name="companyId"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="companyId">The company whose stored credentials authenticate the request.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> is not a valid company id.</exception>
    public static HttpRequestMessage SetCompanyId(this HttpRequestMessage request, string companyId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Internal.CompanyIdRules.Validate(companyId, nameof(companyId));
        request.Options.Set(CompanyIdKey, companyId);
        return request;
    }

    /// <summary>Reads the company id set by <see cref="SetCompanyId"/>.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The company id, or <see langword="null"/> when none was set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static string? GetCompanyId(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(CompanyIdKey, out var companyId) ? companyId : null;
    }
}
