using System.Globalization;

namespace EInvoice.Transmission.Security.ScaleHost;

/// <summary>
/// <c>dotnet EInvoice.Transmission.Security.ScaleHost.dll cold-start Sqlite|PostgreSql COMPANIES PARALLELISM TOKEN_DELAY_MS SEED</c>:
/// the connection string and the key ring come from <see cref="ColdStart.ConnectionVariable"/>,
/// <see cref="ColdStart.KeyIdVariable"/> and <see cref="ColdStart.KeyVariable"/>. Started by
/// <see cref="ColdStart.RunAsync"/>, which says "go" on standard input.
/// </summary>
internal static class ScaleHostProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["cold-start", var storage, var companies, var parallelism, var delay, var seed])
        {
            return await ColdStart.WorkAsync(
                Enum.Parse<Storage>(storage),
                int.Parse(companies, CultureInfo.InvariantCulture),
                int.Parse(parallelism, CultureInfo.InvariantCulture),
                TimeSpan.FromMilliseconds(int.Parse(delay, CultureInfo.InvariantCulture)),
                int.Parse(seed, CultureInfo.InvariantCulture));
        }

        await Console.Error.WriteLineAsync("usage: cold-start Sqlite|PostgreSql COMPANIES PARALLELISM TOKEN_DELAY_MS SEED (with EITS_SCALE_CONNECTION, EITS_SCALE_KEY_ID and EITS_SCALE_KEY set)");
        return 1;
    }
}
