using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using EInvoice.Transmission.Security.Internal;

namespace EInvoice.Transmission.Security;

/// <summary>
/// The environment a set of credentials belongs to: <see cref="Sandbox"/>, <see cref="Production"/> or another name.
/// Credentials are only ever used by a client configured for the same environment.
/// </summary>
/// <remarks>
/// Names compare without regard to case and use 1 to 32 characters of <c>A-Z a-z 0-9 _ -</c>. In JSON an environment
/// is its name, a string.
/// </remarks>
[JsonConverter(typeof(TransmissionEnvironmentJsonConverter))]
public readonly struct TransmissionEnvironment : IEquatable<TransmissionEnvironment>
{
    private const int MaxLength = 32;
    private readonly string? _name;

    /// <summary>Creates an environment with the given name.</summary>
    /// <param name="name">1 to 32 characters of <c>A-Z a-z 0-9 _ -</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid environment name.</exception>
    public TransmissionEnvironment(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("An environment name uses 1 to 32 characters of A-Z, a-z, 0-9, '_' or '-'.", nameof(name));
        }

        _name = name;
    }

    /// <summary>Gets the sandbox (test) environment of a platform.</summary>
    public static TransmissionEnvironment Sandbox { get; } = new("Sandbox");

    /// <summary>Gets the production environment, where transmissions are legally binding.</summary>
    public static TransmissionEnvironment Production { get; } = new("Production");

    /// <summary>Gets the name, or an empty string for the default value.</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>Gets a value indicating whether this is the default value, which names no environment.</summary>
    public bool IsDefault => _name is null;

    /// <summary>Compares two environments by name, ignoring case.</summary>
    /// <param name="left">The first environment.</param>
    /// <param name="right">The second environment.</param>
    /// <returns><see langword="true"/> when both name the same environment.</returns>
    public static bool operator ==(TransmissionEnvironment left, TransmissionEnvironment right) => left.Equals(right);

    /// <summary>Compares two environments by name, ignoring case.</summary>
    /// <param name="left">The first environment.</param>
    /// <param name="right">The second environment.</param>
    /// <returns><see langword="true"/> when they name different environments.</returns>
    public static bool operator !=(TransmissionEnvironment left, TransmissionEnvironment right) => !left.Equals(right);

    /// <summary>Parses a stored or configured environment name.</summary>
    /// <param name="name">The name.</param>
    /// <param name="environment">The environment, when the name is valid.</param>
    /// <returns><see langword="true"/> when <paramref name="name"/> is a valid environment name.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out TransmissionEnvironment environment)
    {
        environment = IsValidName(name) ? new TransmissionEnvironment(name!) : default;
        return !environment.IsDefault;
    }

    /// <inheritdoc/>
    public bool Equals(TransmissionEnvironment other) => string.Equals(_name, other._name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TransmissionEnvironment other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _name is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(_name);

    /// <summary>Returns the name.</summary>
    /// <returns>The environment's name.</returns>
    public override string ToString() => Name;

    private static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
