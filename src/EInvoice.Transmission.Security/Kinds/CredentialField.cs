using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// One field a <see cref="CredentialKind"/> declares: its name, whether it is secret, whether it is required, and the
/// rules its value follows. A kind declares each field once; validation, sealing, key rotation, the status and the
/// audit's field names all follow from that declaration.
/// </summary>
/// <remarks>
/// A field whose name ends with <c>.</c> is a family: it admits every name that starts with it, such as
/// <c>header.aade-user-id</c> for <see cref="ExtraHeaders"/>. Secret fields are stored only as envelopes sealed by
/// the <see cref="CredentialVault"/> and are never shown or logged.
/// </remarks>
public sealed class CredentialField
{
    private CredentialField(string name, CredentialFieldRule rule, bool isSecret, bool isRequired, int maxLength, IReadOnlyList<string>? choices = null, SecretExpirySource expirySource = SecretExpirySource.Entered)
    {
        ExpirySource = expirySource;
        FieldNameRules.ValidateDeclaredName(name);
        Name = name;
        Rule = rule;
        IsSecret = isSecret;
        IsRequired = isRequired && !name.EndsWith('.');
        MaxLength = maxLength;
        Choices = choices ?? [];
    }

    /// <summary>The name of the field every built-in kind sends its credentials to: <c>api_endpoint</c>.</summary>
    public const string ApiEndpointName = "api_endpoint";

    /// <summary>Gets the field's name, or the prefix of a family (ending with <c>.</c>).</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the field is secret: stored sealed, never shown, logged or audited by value.</summary>
    public bool IsSecret { get; }

    /// <summary>Gets a value indicating whether credentials of the kind are incomplete without the field.</summary>
    public bool IsRequired { get; }

    /// <summary>Gets a value indicating whether the field is a family of names that start with <see cref="Name"/>.</summary>
    public bool IsFamily => Name.EndsWith('.');

    /// <summary>Gets the longest value accepted, in UTF-16 characters.</summary>
    public int MaxLength { get; }

    /// <summary>Gets the values a choice field accepts; empty for other fields.</summary>
    public IReadOnlyList<string> Choices { get; }

    /// <summary>
    /// Gets where the library reads the expiry of this secret from when the administrator enters none: the lifecycle
    /// (status, reminders, health checks) reads this declaration and never parses a kind's secrets by hand.
    /// </summary>
    /// <value><see cref="SecretExpirySource.Entered"/> unless declared with <see cref="WithExpirySource"/>.</value>
    public SecretExpirySource ExpirySource { get; }

    internal CredentialFieldRule Rule { get; }

    /// <summary>Returns this secret field declared with the source its expiry is read from.</summary>
    /// <param name="source">Where the expiry is read from.</param>
    /// <returns>The field.</returns>
    /// <exception cref="InvalidOperationException">The field is not a secret.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="source"/> is not a defined value.</exception>
    public CredentialField WithExpirySource(SecretExpirySource source)
    {
        if (!IsSecret)
        {
            throw new InvalidOperationException($"Field '{Name}' is not a secret; only secrets carry an expiry.");
        }

        if (!Enum.IsDefined(source))
        {
            throw new ArgumentOutOfRangeException(nameof(source), source, "Not a defined SecretExpirySource.");
        }

        return new(Name, Rule, IsSecret, IsRequired, MaxLength, Choices, source);
    }

    /// <summary>Declares a plain text field: 1 to <paramref name="maxLength"/> characters, no control characters, no surrounding white space.</summary>
    /// <param name="name">The field's name: lowercase letters, digits and <c>_</c>, starting with a letter.</param>
    /// <param name="isRequired">Whether the kind's credentials are incomplete without it.</param>
    /// <param name="maxLength">The longest value accepted; at most 65536.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name, or <paramref name="maxLength"/> is out of range.</exception>
    public static CredentialField Text(string name, bool isRequired = false, int maxLength = CredentialRules.MaxTextLength)
        => new(name, CredentialFieldRule.Text, isSecret: false, isRequired, CheckMaxLength(maxLength));

    /// <summary>
    /// Declares an endpoint: an absolute <c>https</c> URI without user information or fragment (plain <c>http</c> only to
    /// a loopback address when <see cref="CredentialStoreOptions.AllowHttpOnLoopback"/> is set).
    /// </summary>
    /// <param name="name">The field's name.</param>
    /// <param name="isRequired">Whether the kind's credentials are incomplete without it.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name.</exception>
    public static CredentialField Endpoint(string name, bool isRequired = false)
        => new(name, CredentialFieldRule.Endpoint, isSecret: false, isRequired, CredentialRules.MaxUriLength);

    /// <summary>Declares an OAuth scope: space-separated scope tokens (RFC 6749 section 3.3).</summary>
    /// <param name="name">The field's name.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name.</exception>
    public static CredentialField Scope(string name)
        => new(name, CredentialFieldRule.Scope, isSecret: false, isRequired: false, CredentialRules.MaxScopeLength);

    /// <summary>Declares a field whose value is one of <paramref name="choices"/> (compared ordinally).</summary>
    /// <param name="name">The field's name.</param>
    /// <param name="choices">The accepted values.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name, or there are no choices.</exception>
    public static CredentialField Choice(string name, params string[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Length == 0)
        {
            throw new ArgumentException("A choice field needs at least one choice.", nameof(choices));
        }

        return new(name, CredentialFieldRule.Choice, isSecret: false, isRequired: false, CredentialRules.MaxTextLength, [.. choices]);
    }

    /// <summary>Declares a field that holds an HTTP header name (an RFC 9110 token).</summary>
    /// <param name="name">The field's name.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name.</exception>
    public static CredentialField HeaderName(string name)
        => new(name, CredentialFieldRule.HeaderName, isSecret: false, isRequired: false, CredentialRules.MaxTextLength);

    /// <summary>Declares a secret: sealed at rest, never shown, 1 to <paramref name="maxLength"/> characters without control characters.</summary>
    /// <param name="name">The field's name.</param>
    /// <param name="isRequired">Whether the kind's credentials are incomplete without it.</param>
    /// <param name="maxLength">The longest value accepted; at most 65536.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid field name, or <paramref name="maxLength"/> is out of range.</exception>
    public static CredentialField Secret(string name, bool isRequired = false, int maxLength = CredentialRules.MaxSecretLength)
        => new(name, CredentialFieldRule.Text, isSecret: true, isRequired, CheckMaxLength(maxLength));

    /// <summary>
    /// Declares the family <c>header.</c>: static headers sent with every API request, such as <c>header.aade-user-id</c>.
    /// Names are HTTP header names; values have no line breaks or other control characters.
    /// </summary>
    /// <returns>The field.</returns>
    public static CredentialField ExtraHeaders()
        => new(FieldNameRules.HeaderPrefix, CredentialFieldRule.HeaderValue, isSecret: false, isRequired: false, CredentialRules.MaxSecretLength);

    /// <summary>
    /// Declares the secret family <c>header.</c>: static headers whose values are secret, sent with every API request,
    /// such as Chorus Pro's <c>header.cpro-account</c>.
    /// </summary>
    /// <returns>The field.</returns>
    public static CredentialField ExtraSecretHeaders()
        => new(FieldNameRules.HeaderPrefix, CredentialFieldRule.HeaderValue, isSecret: true, isRequired: false, CredentialRules.MaxSecretLength);

    /// <summary>Declares a family of plain values (names under <paramref name="prefix"/>, each followed by a name of letters, digits, <c>_ - .</c>).</summary>
    /// <param name="prefix">The family's prefix, ending with <c>.</c>, such as <c>token_param.</c>.</param>
    /// <param name="isHeaders">Whether the names are HTTP header names and the values header values.</param>
    /// <returns>The field.</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not end with <c>.</c> or is not a valid field name.</exception>
    public static CredentialField Family(string prefix, bool isHeaders)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!prefix.EndsWith('.'))
        {
            throw new ArgumentException("A family's prefix ends with '.'.", nameof(prefix));
        }

        return new(prefix, isHeaders ? CredentialFieldRule.HeaderValue : CredentialFieldRule.Text, isSecret: false, isRequired: false, CredentialRules.MaxTextLength);
    }

    /// <summary>Whether <paramref name="fieldName"/> is this field, or a member of this family.</summary>
    /// <param name="fieldName">A field name.</param>
    /// <returns><see langword="true"/> when the name belongs to this declaration.</returns>
    public bool Matches(string fieldName)
        => IsFamily
            ? fieldName.Length > Name.Length && fieldName.StartsWith(Name, StringComparison.Ordinal)
            : string.Equals(fieldName, Name, StringComparison.Ordinal);

    /// <summary>Returns the field's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private static int CheckMaxLength(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, 65536);
        return maxLength;
    }
}
