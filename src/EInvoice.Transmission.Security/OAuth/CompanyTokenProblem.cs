namespace EInvoice.Transmission.Security;

/// <summary>
/// A company whose token requests are failing, as this process's token cache knows it (<see cref="TransmissionHealthProbe"/>):
/// no secret, no error description, only the OAuth error code.
/// </summary>
/// <param name="CompanyId">The company.</param>
/// <param name="Error">The OAuth error code of the last failure (RFC 6749 section 5.2), or the library's own, such as <c>timeout</c>.</param>
/// <param name="IsPermanent">Whether the failure needs someone to act (wrong credentials: <c>invalid_client</c>); otherwise the cache backs off and tries again.</param>
/// <param name="ConsecutiveFailures">How many token requests failed in a row.</param>
/// <param name="RetryAt">No new token request before this moment.</param>
/// <param name="StatusCode">The HTTP status of the last failure, if there was an answer.</param>
public sealed record CompanyTokenProblem(string CompanyId, string Error, bool IsPermanent, int ConsecutiveFailures, DateTimeOffset RetryAt, int? StatusCode);
