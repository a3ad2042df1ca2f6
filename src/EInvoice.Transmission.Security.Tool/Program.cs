using EInvoice.Transmission.Security.Tool;

// First Ctrl+C: a stop request (rewrap finishes its batch and says how to resume). Second: the process ends at once,
// which is safe too, since every credential is rewritten atomically.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;
        Console.Error.WriteLine("eits: stopping (press Ctrl+C again to stop at once)...");
        stop.Cancel();
    }
};

return await EitsCommandLine.InvokeAsync(args, ToolContext.FromConsole(), stop.Token);
