namespace EInvoice.Transmission.Security.Internal;

/// <summary>The credential kinds registered in the host, by name; 0.1's mode names still find their kinds.</summary>
internal sealed class CredentialKindRegistry
{
    private readonly Dictionary<string, CredentialKind> _kinds = new(StringComparer.Ordinal);

    public CredentialKindRegistry(IEnumerable<CredentialKind> kinds)
    {
        foreach (var kind in kinds)
        {
            if (!_kinds.TryAdd(kind.Name, kind))
            {
                throw new InvalidOperationException(
                    $"Two credential kinds are registered with the name '{kind.Name}' ({_kinds[kind.Name].GetType().Name} and {kind.GetType().Name}); kind names must be unique.");
            }
        }
    }

    /// <summary>The built-in kinds, with their defaults from <paramref name="options"/>.</summary>
    public static IEnumerable<CredentialKind> BuiltIn(OAuthOptions options)
        => [new OAuthClientCredentialsKind(), new ApiKeyKind(options), new HttpBasicKind(), new NoCredentialsKind()];

    public IEnumerable<string> Names => _kinds.Keys.Order(StringComparer.Ordinal);

    /// <summary>The kind of this name (or 0.1 mode name), or <see langword="null"/>.</summary>
    public CredentialKind? Find(string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (_kinds.TryGetValue(name, out var kind))
        {
            return kind;
        }

        return LegacyCredentialShape.KindOfMode(name) is { } kindName ? _kinds.GetValueOrDefault(kindName) : null;
    }

    /// <summary>The kind of this name, or an <see cref="ArgumentException"/> naming the registered ones.</summary>
    public CredentialKind Get(string name, string parameterName)
        => Find(name) ?? throw new ArgumentException(
            $"CredentialUpdate.Kind '{name}' is not a registered credential kind; registered: {string.Join(", ", Names)}. Register a host's own kind with AddCredentialKind.",
            parameterName);
}
