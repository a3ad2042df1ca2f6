using System.Diagnostics.Metrics;

namespace EInvoice.Transmission.Security.Sample;

/// <summary>Counts the library's token requests and refreshes from its meter, as any metrics pipeline would.</summary>
public sealed class TokenMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _tokenRequests;
    private long _refreshes;
    private long _cacheHits;

    public TokenMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "EInvoice.Transmission.Security")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "eits.token.requests":
                    Interlocked.Add(ref _tokenRequests, value);
                    break;
                case "eits.token.refreshes":
                    Interlocked.Add(ref _refreshes, value);
                    break;
                case "eits.token.cache_hits":
                    Interlocked.Add(ref _cacheHits, value);
                    break;
            }
        });
        _listener.Start();
    }

    public long TokenRequests => Interlocked.Read(ref _tokenRequests);

    public long Refreshes => Interlocked.Read(ref _refreshes);

    public long CacheHits => Interlocked.Read(ref _cacheHits);

    public void Dispose() => _listener.Dispose();
}
