using System.Data.Common;
using System.Text;
using Dapper;
using EInvoice.Transmission.Security.Dapper.Internal;
using EInvoice.Transmission.Security.Testing;

namespace EInvoice.Transmission.Security.Dapper.Tests;

/// <summary>Reads and changes a database behind the repository's back, as someone with access to it could.</summary>
internal static class SqlStorage
{
    /// <summary>Every row of every table, each value rendered as text (blobs as UTF-8 and Base64).</summary>
    public static async Task<string> DumpAsync(DbDataSource dataSource, string listTablesSql, Func<object?, string> render)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(listTablesSql)).ToList();
        tables.Should().Contain(["eits_credentials", "eits_audit", "eits_audit_head", "eits_schema_version"]);

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            text.Append("== ").AppendLine(table);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(render(reader.GetValue(i))).Append('|');
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    public static async Task TamperAsync(DbDataSource dataSource, AuditTampering tampering, long sequence)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var changed = tampering switch
        {
            AuditTampering.ChangeActor => await connection.ExecuteAsync("UPDATE eits_audit SET actor = 'mallory' WHERE sequence = @sequence", new { sequence }),
            AuditTampering.ChangeHash => await connection.ExecuteAsync("UPDATE eits_audit SET hash = @hash WHERE sequence = @sequence", new { sequence, hash = new string('f', 64) }),
            AuditTampering.Delete => await connection.ExecuteAsync("DELETE FROM eits_audit WHERE sequence = @sequence", new { sequence }),
            _ => await SwapAsync(connection, sequence),
        };
        changed.Should().BeGreaterThan(0, "the tampering must hit a row");
    }

    public static async Task ReplaceAuditTrailAsync(DbDataSource dataSource, IReadOnlyList<AuditEntry> entries)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("DELETE FROM eits_audit");
        foreach (var entry in entries)
        {
            await connection.ExecuteAsync(
                "INSERT INTO eits_audit (sequence, occurred_at, company_id, action, actor, outcome, fields, mfa_method, detail, previous_hash, hash, key_id, mac) " +
                "VALUES (@Sequence, @OccurredAt, @CompanyId, @Action, @Actor, @Outcome, @Fields, @MfaMethod, @Detail, @PreviousHash, @Hash, @KeyId, @Mac)",
                AuditRow.From(entry));
        }

        await connection.ExecuteAsync(
            "UPDATE eits_audit_head SET sequence = @Sequence, hash = @Hash WHERE id = 1",
            new { Sequence = entries.Count == 0 ? 0 : entries[^1].Sequence, Hash = entries.Count == 0 ? new string('0', 64) : entries[^1].Hash });
    }

    private static async Task<int> SwapAsync(DbConnection connection, long sequence)
    {
        var rows = (await connection.QueryAsync<AuditRow>(
            $"SELECT {AuditRow.Columns} FROM eits_audit WHERE sequence IN (@a, @b) ORDER BY sequence", new { a = sequence, b = sequence + 1 })).ToList();
        const string Update =
            "UPDATE eits_audit SET occurred_at = @OccurredAt, company_id = @CompanyId, action = @Action, actor = @Actor, outcome = @Outcome, " +
            "fields = @Fields, mfa_method = @MfaMethod, detail = @Detail, previous_hash = @PreviousHash, hash = @Hash, key_id = @KeyId, mac = @Mac WHERE sequence = @Sequence";
        var first = rows[0];
        var second = rows[1];
        (first.Sequence, second.Sequence) = (second.Sequence, first.Sequence);
        return await connection.ExecuteAsync(Update, first) + await connection.ExecuteAsync(Update, second);
    }
}
