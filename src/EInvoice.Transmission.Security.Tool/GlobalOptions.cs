using System.CommandLine;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>The options every command takes: where configuration and storage are, and whether to answer in JSON.</summary>
internal sealed class GlobalOptions
{
    public Option<FileInfo?> Config { get; } = new("--config")
    {
        Description = "An appsettings.json to read (section EInvoiceTransmission), as the host does; environment variables override it.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> Sqlite { get; } = new("--sqlite")
    {
        Description = "The SQLite database file (or a Microsoft.Data.Sqlite connection string). Default: EInvoiceTransmission:Storage:Sqlite.",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "An Npgsql connection string. Prefer the variable EInvoiceTransmission__Storage__PostgreSql: a password on the command line stays in shell history.",
        HelpName = "CONNECTION",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write the result as one JSON document on standard output (progress, warnings and errors go to standard error).",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Config, Sqlite, Postgres, Json];

    public Values Read(ParseResult parseResult) => new(
        parseResult.GetValue(Config),
        parseResult.GetValue(Sqlite),
        parseResult.GetValue(Postgres),
        parseResult.GetValue(Json));

    internal sealed record Values(FileInfo? ConfigFile, string? Sqlite, string? Postgres, bool Json);
}
