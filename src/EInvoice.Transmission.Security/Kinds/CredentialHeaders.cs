using System.Net.Http.Headers;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// The headers a <see cref="CredentialKind"/> attaches to every API request of a company. Collected once when the
/// credentials are loaded (or a token is obtained), then set on each request without further work.
/// </summary>
public sealed class CredentialHeaders
{
    private readonly List<KeyValuePair<string, string>> _headers = [];

    internal CredentialHeaders()
    {
    }

    /// <summary>The <c>Authorization</c> header, if the kind set one; not public, so that no one prints or serialises it.</summary>
    internal AuthenticationHeaderValue? Authorization { get; private set; }

    internal IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Sets the <c>Authorization</c> header.</summary>
    /// <param name="scheme">The scheme, such as <c>Basic</c> or <c>Bearer</c>.</param>
    /// <param name="parameter">The credentials after the scheme; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The scheme is not a token, or the parameter has control characters.</exception>
    public void SetAuthorization(string scheme, string? parameter)
    {
        if (!FieldNameRules.IsHeaderName(scheme))
        {
            throw new ArgumentException("The scheme must be an HTTP token.", nameof(scheme));
        }

        if (parameter is not null && !FieldNameRules.IsHeaderValue(parameter))
        {
            // Never the value itself: it is a secret.
            throw new ArgumentException("The Authorization parameter may not be empty, contain control characters or surrounding white space.", nameof(parameter));
        }

        Authorization = new AuthenticationHeaderValue(scheme, parameter);
    }

    /// <summary>Adds a header; it replaces any header of that name the caller set on the request.</summary>
    /// <param name="name">The header name; <c>Authorization</c> is set with <see cref="SetAuthorization"/>.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The name is not an HTTP header name or is <c>Authorization</c>, is added twice, or the value has control characters.</exception>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!FieldNameRules.IsHeaderName(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || FieldNameRules.IsForbiddenCredentialHeader(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a header name a kind may add (use SetAuthorization for Authorization; Host, Content-*, Proxy-* and the framing headers are never credentials).",
                nameof(name));
        }

        if (Contains(name))
        {
            throw new ArgumentException($"The header '{name}' is added twice.", nameof(name));
        }

        if (!FieldNameRules.IsHeaderValue(value))
        {
            throw new ArgumentException($"The value of header '{name}' may not be empty, contain control characters (CR, LF) or surrounding white space.", nameof(value));
        }

        _headers.Add(new(name, value));
    }

    /// <summary>Whether a header of this name (case-insensitive) was added, <c>Authorization</c> included.</summary>
    /// <param name="name">The header name.</param>
    /// <returns><see langword="true"/> when it was added.</returns>
    public bool Contains(string name)
        => (Authorization is not null && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            || _headers.Exists(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Returns the header names, never their values.</summary>
    /// <returns>The names.</returns>
    public override string ToString()
        => $"CredentialHeaders {{ {string.Join(", ", _headers.Select(h => h.Key).Prepend(Authorization is null ? string.Empty : "Authorization").Where(n => n.Length > 0))} }}";
}
