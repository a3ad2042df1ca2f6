namespace EInvoice.Transmission.Security.Testing;

/// <summary>Waits, in real time, for something a background task does.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, int timeoutMilliseconds = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {because}.");
            }

            await Task.Delay(5);
        }
    }
}
