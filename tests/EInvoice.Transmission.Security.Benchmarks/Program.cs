using System.Globalization;
using BenchmarkDotNet.Running;
using EInvoice.Transmission.Security.Benchmarks;

// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --interleaved-handler [rounds]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --cache-memory [companies]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --audit-scale [entries]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --handler-scale [companies] [rounds] [csv]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --storage-scale sqlite|postgres [CONNECTION] [sizes] [csv]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --audit-scale-db sqlite|postgres [CONNECTION] [entries]
if (args is ["--audit-scale-db", var auditStorage, .. var auditArgs])
{
    var auditConnection = auditStorage == "postgres" ? auditArgs[0] : null;
    var auditRest = auditStorage == "postgres" ? auditArgs[1..] : auditArgs;
    await DatabaseAuditScaleCheck.RunAsync(auditStorage, auditConnection, auditRest is [var e] ? int.Parse(e, CultureInfo.InvariantCulture) : 1_000_000);
    return;
}

if (args is ["--handler-scale", .. var handlerArgs])
{
    await HandlerScaleCheck.RunAsync(
        handlerArgs is [var n, ..] ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000,
        handlerArgs is [_, var r, ..] ? int.Parse(r, CultureInfo.InvariantCulture) : 20,
        handlerArgs is [_, _, var csv] ? csv : null);
    return;
}

if (args is ["--storage-scale", var storage, .. var storageArgs])
{
    var connection = storage == "postgres" ? storageArgs[0] : null;
    var options = storage == "postgres" ? storageArgs[1..] : storageArgs;
    var sizes = options is [var list, ..] ? [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] : new[] { 1_000, 10_000, 100_000 };
    await StorageScaleCheck.RunAsync(storage, connection, sizes, options is [_, var csv] ? csv : $"docs/benchmarks/scale-{storage}.csv");
    return;
}

if (args is ["--audit-scale", .. var size])
{
    await AuditVerificationScaleCheck.RunAsync(size is [var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000);
    return;
}

if (args is ["--cache-memory", .. var count])
{
    await CacheMemoryCheck.RunAsync(count is [var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000);
    return;
}

if (args is ["--interleaved-handler", .. var rest])
{
    InterleavedHandlerCheck.Run(rest is [var rounds] ? int.Parse(rounds, CultureInfo.InvariantCulture) : 40);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
