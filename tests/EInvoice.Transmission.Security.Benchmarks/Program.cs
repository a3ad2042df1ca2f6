using System.Globalization;
using BenchmarkDotNet.Running;
using EInvoice.Transmission.Security.Benchmarks;

// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --interleaved-handler [rounds]
if (args is ["--interleaved-handler", .. var rest])
{
    InterleavedHandlerCheck.Run(rest is [var rounds] ? int.Parse(rounds, CultureInfo.InvariantCulture) : 40);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
