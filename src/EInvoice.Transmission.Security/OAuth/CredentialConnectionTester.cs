using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Checks that a company's stored credentials work, and records the outcome on them (see
/// <see cref="CredentialStatus.LastConnectionTest"/>).
/// </summary>
/// <remarks>
/// A direct platform connection is tested by requesting a new access token (which is then used and stored); an
/// Accredited Service Provider by a GET of its endpoint with the API key, where anything but 401, 403 or a server
/// error counts as accepted; a sandbox needs no test and always succeeds. Error texts never contain a secret.
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
