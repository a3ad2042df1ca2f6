using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Checks that a company's stored credentials work, and records the outcome on them (see
/// <see cref="CredentialStatus.LastConnectionTest"/>).
/// </summary>
/// <remarks>
/// A kind that uses access tokens is tested by requesting a new one (which is then used and stored); any other kind
/// that attaches credentials (an API key, HTTP Basic, a host's static kind) by a GET of its API endpoint with them,
/// where anything but a redirect, 401, 403 or a server error counts as accepted; credentials that attach nothing
/// (<see cref="NoCredentialsKind"/>) need no test and always succeed. Error texts never contain a secret.
/// </remarks>
public sealed class CredentialConnectionTester
{
    private readonly AccessTokenCache _cache;

    internal CredentialConnectionTester(AccessTokenCache cache) => _cache = cache;

    /// <summary>Tests a company's credentials against their platform and records the result.</summary>
    /// <param name="companyId">The company.</param>
    /// <param name="cancellationToken">Cancels the test.</param>
    /// <returns>The result; a company without credentials gives a failed result that is not recorded.</returns>
    /// <exception cref="ArgumentException"><paramref name="companyId"/> is not a valid company id.</exception>
    public Task<ConnectionTestResult> TestAsync(string companyId, CancellationToken cancellationToken = default)
    {
        CompanyIdRules.Validate(companyId, nameof(companyId));
        return _cache.TestConnectionAsync(companyId, cancellationToken);
    }
}
