using EInvoice.Transmission.Security.Sample;

// Run with no arguments to use the built-in local platform, or see SampleOptions.Usage for an outside server.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await SampleRun.RunAsync(args, Console.Out, cancellation.Token);
