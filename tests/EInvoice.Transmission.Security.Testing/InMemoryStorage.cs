using System.Text;

namespace EInvoice.Transmission.Security.Testing;

/// <summary>The in-memory repository's "raw storage": every row and audit entry, every value rendered as text.</summary>
public static class InMemoryStorage
{
    public static async Task<string> DumpAsync(InMemoryCredentialRepository repository)
    {
        var text = new StringBuilder();
        foreach (var row in await repository.ListAsync(null, int.MaxValue))
        {
            foreach (var property in typeof(StoredCredential).GetProperties())
            {
                text.Append(Render(property.GetValue(row))).Append('|');
            }

            text.AppendLine();
        }

        foreach (var entry in await repository.ReadAuditAsync(0, int.MaxValue))
        {
            text.AppendLine(entry.ToString());
        }

        return text.ToString();
    }

    /// <summary>Text as it is; bytes both as UTF-8 and as Base64, the way someone reading a dump would try them.</summary>
    public static string Render(object? value) => value switch
    {
        null or DBNull => "NULL",
        byte[] bytes => Encoding.UTF8.GetString(bytes) + " " + Convert.ToBase64String(bytes),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
