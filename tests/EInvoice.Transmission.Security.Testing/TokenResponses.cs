using System.Net;
using System.Text;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>Token endpoint answers for MockHttp.</summary>
public static class TokenResponses
{
    public static HttpResponseMessage Token(string accessToken, int expiresIn = 3600, string? refreshToken = null)
    {
        var refresh = refreshToken is null ? string.Empty : $",\"refresh_token\":\"{refreshToken}\"";
        return Json(HttpStatusCode.OK, $"{{\"access_token\":\"{accessToken}\",\"token_type\":\"Bearer\",\"expires_in\":{expiresIn}{refresh}}}");
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string error, string? description = null, TimeSpan? retryAfter = null)
    {
        var response = Json(status, description is null ? $"{{\"error\":\"{error}\"}}" : $"{{\"error\":\"{error}\",\"error_description\":\"{description}\"}}");
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(delay);
        }

        return response;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json)
        => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
