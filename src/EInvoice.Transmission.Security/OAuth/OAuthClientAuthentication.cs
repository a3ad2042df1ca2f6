using System.Text.Json.Serialization;

namespace EInvoice.Transmission.Security;

/// <summary>How the client authenticates to the token endpoint (RFC 6749 section 2.3.1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OAuthClientAuthentication>))]
public enum OAuthClientAuthentication
{
    /// <summary><c>client_secret_post</c>: client id and secret in the form body.</summary>
    ClientSecretPost = 0,

    /// <summary>
    /// <c>client_secret_basic</c>: HTTP Basic with the form-urlencoded client id and secret, as RFC 6749 section 2.3.1
    /// requires (so an id or secret containing <c>:</c>, <c>+</c>, <c>%</c> or non-ASCII characters survives).
    /// </summary>
    ClientSecretBasic = 1,
}
