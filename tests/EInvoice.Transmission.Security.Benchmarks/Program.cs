using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/EInvoice.Transmission.Security.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
