using Spectre.Console;
using Spectre.Console.Rendering;

namespace EInvoice.Transmission.Security.Tool;

/// <summary>Tables and progress for people: Spectre.Console on the command's output, plain text when it is not a terminal.</summary>
internal static class Screen
{
    /// <summary>Wide enough that a redirected table keeps one line per row.</summary>
    private const int RedirectedWidth = 240;

    public static IAnsiConsole Create(ToolContext context, TextWriter? writer = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer ?? context.Out),
            Ansi = context.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = context.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.IsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!context.IsTerminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>A table whose cells are plain text: company ids and settings are never read as markup.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(Safe(column))));
        }

        return table;
    }

    /// <summary>A row of plain-text cells, each made <see cref="Safe"/>: what storage holds is shown, never obeyed.</summary>
    public static void Row(this Table table, params string?[] cells)
        => table.AddRow([.. cells.Select(static c => (IRenderable)new Text(Safe(c)))]);

    /// <summary>
    /// Text read from storage, fit for a terminal: control characters (C0, DEL, C1 — escape sequences start with one)
    /// and bidirectional formatting characters are shown as <c>\uXXXX</c>. Someone who can write the database must not
    /// be able to repaint the operator's screen, forge table rows, reorder text or reach the clipboard (OSC 52).
    /// </summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(IsUnsafe))
        {
            return text ?? string.Empty;
        }

        var safe = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = IsUnsafe(c) ? safe.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : safe.Append(c);
        }

        return safe.ToString();
    }

    private static bool IsUnsafe(char c)
        => char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    public static string Time(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    public static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "-" };
}
