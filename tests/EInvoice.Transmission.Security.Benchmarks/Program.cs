using System.Globalization;
using BenchmarkDotNet.Running;
using EInvoice.Transmission.Security.Benchmarks;

// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --interleaved-handler [rounds]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --cache-memory [companies]
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --audit-scale [entries]
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
