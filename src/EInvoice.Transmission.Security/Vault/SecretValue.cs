using System.Diagnostics;
using System.Text.Json.Serialization;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// A secret (client secret, API key, token) that never shows its value by accident.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ToString"/>, string interpolation, the debugger and System.Text.Json serialisation all show
/// <c>[redacted]</c>. The only way to read the value is <see cref="Reveal"/>, a name chosen so that every use stands
/// out in code review.
/// </para>
/// <para>
/// JSON deserialisation accepts a string, so request models of an admin API may declare <see cref="SecretValue"/>
/// properties. It refuses the <c>[redacted]</c> placeholder, so that a serialised object read back can never
/// overwrite a stored secret with the placeholder.
/// </para>
/// <para>
/// Equality is reference equality on purpose: comparing secrets by value in ordinary code would leak their content
/// through timing.
/// </para>
/// </remarks>
[DebuggerDisplay("[redacted]")]
[JsonConverter(typeof(SecretValueJsonConverter))]
public sealed class SecretValue
{
    /// <summary>The text shown instead of the value: <c>[redacted]</c>.</summary>
    public const string RedactedText = "[redacted]";

    private readonly string _value;

    /// <summary>Wraps a secret.</summary>
    /// <param name="value">The secret. It may not be <see langword="null"/> or empty.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is <see langword="null"/> or empty.</exception>
    public SecretValue(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        _value = value;
    }

    /// <summary>Gets the number of UTF-16 characters of the secret.</summary>
    public int Length => _value.Length;

    /// <summary>Returns the secret itself. Call it only where the value must leave the process (an HTTP request).</summary>
    /// <returns>The secret text.</returns>
    public string Reveal() => _value;

    /// <summary>Returns <c>[redacted]</c>, never the value.</summary>
    /// <returns>The text <c>[redacted]</c>.</returns>
    public override string ToString() => RedactedText;
}
