using System.Globalization;
using EInvoice.Transmission.Security.ScaleHost;

// dotnet EInvoice.Transmission.Security.ScaleHost.dll cold-start Sqlite|PostgreSql CONNECTION COMPANIES PARALLELISM TOKEN_DELAY_MS SEED
// The key ring comes from EITS_SCALE_KEY_ID and EITS_SCALE_KEY. Started by ColdStart.RunAsync, which says "go" on stdin.
if (args is ["cold-start", var storage, var connectionString, var companies, var parallelism, var delay, var seed])
{
    return await ColdStart.WorkAsync(
        Enum.Parse<Storage>(storage),
        connectionString,
        int.Parse(companies, CultureInfo.InvariantCulture),
        int.Parse(parallelism, CultureInfo.InvariantCulture),
        TimeSpan.FromMilliseconds(int.Parse(delay, CultureInfo.InvariantCulture)),
        int.Parse(seed, CultureInfo.InvariantCulture));
}

await Console.Error.WriteLineAsync("usage: cold-start Sqlite|PostgreSql CONNECTION COMPANIES PARALLELISM TOKEN_DELAY_MS SEED");
return 1;
