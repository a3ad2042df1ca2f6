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
            table.AddColumn(new TableColumn(new Text(column)));
        }

        return table;
    }

    public static void Row(this Table table, params string?[] cells)
        => table.AddRow([.. cells.Select(static c => (IRenderable)new Text(c ?? string.Empty))]);

    public static string Time(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    public static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "-" };
}
