using System.Security.Cryptography;
using System.Text.Json;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>
/// Key-encryption keys for development only, kept in a JSON file beside the sample's database so that its data
/// still opens on the next run. Real deployments keep keys out of files on disk: in environment variables from a
/// secret store, user-secrets, or a key management service behind <see cref="IKeyEncryptionKeyProvider"/>.
/// </summary>
public sealed class DevelopmentKeyRing
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly string _path;
    private State _state;

    private DevelopmentKeyRing(string path, State state)
    {
        _path = path;
        _state = state;
    }

    public string ActiveKeyId => _state.ActiveKeyId;

    public IReadOnlyCollection<string> KeyIds => _state.Keys.Keys;

    public string Path => _path;

    /// <summary>Loads the development keys, or creates the first one; <paramref name="created"/> says which.</summary>
    public static DevelopmentKeyRing LoadOrCreate(string path, out bool created)
    {
        created = !File.Exists(path);
        if (!created)
        {
            return new DevelopmentKeyRing(path, JsonSerializer.Deserialize<State>(File.ReadAllText(path))!);
        }

        var ring = new DevelopmentKeyRing(path, new State(string.Empty, []));
        ring.AddActiveKey();
        return ring;
    }

    /// <summary>Adds a new random key and makes it the active one; the others stay to open older envelopes.</summary>
    public string AddActiveKey()
    {
        var id = $"dev-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var keys = new Dictionary<string, string>(_state.Keys) { [id] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        Save(new State(id, keys));
        return id;
    }

    /// <summary>Drops every key but the active one: call it only once nothing is sealed under them any more.</summary>
    public IReadOnlyList<string> RetireInactiveKeys()
    {
        var retired = _state.Keys.Keys.Where(id => id != _state.ActiveKeyId).ToList();
        Save(new State(_state.ActiveKeyId, new Dictionary<string, string> { [_state.ActiveKeyId] = _state.Keys[_state.ActiveKeyId] }));
        return retired;
    }

    /// <summary>The keys as configuration settings, the form a real deployment sets through environment variables.</summary>
    public IEnumerable<KeyValuePair<string, string?>> AsConfiguration()
    {
        yield return new("EInvoiceTransmission:Vault:ActiveKeyId", _state.ActiveKeyId);
        foreach (var (id, key) in _state.Keys)
        {
            yield return new($"EInvoiceTransmission:Vault:Keys:{id}", key);
        }
    }

    private void Save(State state)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        File.WriteAllText(_path, JsonSerializer.Serialize(state, Json));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _state = state;
    }

    private sealed record State(string ActiveKeyId, Dictionary<string, string> Keys);
}
