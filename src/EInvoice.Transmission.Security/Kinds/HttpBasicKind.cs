using System.Text;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// HTTP Basic (RFC 7617) with a user name and a secret password on every API request, and no token endpoint: Saudi
/// ZATCA, where the user name is the CSID's <c>binarySecurityToken</c> (a long Base64 certificate) and the password its secret.
/// </summary>
public sealed class HttpBasicKind : CredentialKind
{
    /// <summary>The kind's name.</summary>
    public const string KindName = "http_basic";

    /// <summary>The user name (required; no <c>:</c>; up to 16384 characters).</summary>
    public const string UserName = "user_name";

    /// <summary>The password (secret; required).</summary>
    public const string Password = "password";

    /// <summary>The API base address the credentials are sent to (required).</summary>
    public const string ApiEndpoint = CredentialField.ApiEndpointName;

    /// <summary>The family of extra headers, plain or secret.</summary>
    public const string HeaderPrefix = FieldNameRules.HeaderPrefix;

    /// <summary>Creates the kind; <c>AddEInvoiceTransmission()</c> registers it.</summary>
    public HttpBasicKind()
        : base(
            KindName,
            [
                CredentialField.Text(UserName, isRequired: true, maxLength: 16384),
                CredentialField.Secret(Password, isRequired: true),
                CredentialField.Endpoint(ApiEndpoint, isRequired: true),
                CredentialField.ExtraHeaders(),
                CredentialField.ExtraSecretHeaders(),
            ])
    {
    }

    /// <inheritdoc/>
    protected internal override void Validate(CredentialValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.GetSetting(UserName) is { } user && user.Contains(':', StringComparison.Ordinal))
        {
            // RFC 7617 section 2: the user-id cannot contain a colon; the server would split there.
            throw new ArgumentException($"Settings[\"{UserName}\"] may not contain ':' (RFC 7617).");
        }
    }

    /// <inheritdoc/>
    protected internal override void AddHeaders(CredentialValues values, CredentialHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(headers);
        var pair = $"{values.GetSetting(UserName)}:{values.GetSecret(Password)!.Reveal()}";
        headers.SetAuthorization("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }
}
