namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Field names the library itself uses: those of the envelopes every row may have (bound into their associated data)
/// and the audit names of a credential's kind and environment. A kind's own fields are named by its declaration.
/// </summary>
internal static class SecretFields
{
    public const string AccessToken = "token.access";
    public const string RefreshToken = "token.refresh";
    public const string Destination = "row.destination";

    public const string Kind = "kind";
    public const string Environment = "environment";

    /// <summary>The field bound into the envelope of the secret <paramref name="name"/> (<see cref="LegacyCredentialShape.EnvelopeField"/>).</summary>
    public static string Envelope(string name) => LegacyCredentialShape.EnvelopeField(name);

    /// <summary>
    /// How an audit entry names a field: lowercase (header names ignore case), or, when that is not 1 to 64 characters
    /// of <c>a-z 0-9 . _ -</c>, <c>sha256.</c> and the first 40 hex digits of the SHA-256 of the UTF-8 name.
    /// </summary>
    public static string Audit(string name) => FieldNameRules.FitOrHash(name.ToLowerInvariant(), "sha256.", name);
}
