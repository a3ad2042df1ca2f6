using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>The library's meter and activity source, both named <c>EInvoice.Transmission.Security</c>. Tags carry no secret.</summary>
internal sealed class TransmissionTelemetry : IDisposable
{
    public const string Name = "EInvoice.Transmission.Security";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _tokenRequests;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _unauthorizedRetries;
    private readonly Counter<long> _expiring;

    public TransmissionTelemetry(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        _tokenRequests = _meter.CreateCounter<long>("eits.token.requests", "{request}", "Token requests sent to token endpoints, by grant and outcome.");
        _cacheHits = _meter.CreateCounter<long>("eits.token.cache_hits", "{request}", "Requests authenticated from the in-memory cache, without I/O.");
        _refreshes = _meter.CreateCounter<long>("eits.token.refreshes", "{refresh}", "Background refreshes of a token before it expires, by outcome.");
        _unauthorizedRetries = _meter.CreateCounter<long>("eits.http.unauthorized_retries", "{request}", "Requests resent once with a new token after a 401.");
        _expiring = _meter.CreateCounter<long>("eits.credentials.expiring", "{reminder}", "Expiry reminders raised, once per credential version, secret and threshold, by threshold.");
    }

    public void TokenRequested(string grant, string outcome)
        => _tokenRequests.Add(1, new KeyValuePair<string, object?>("grant", grant), new KeyValuePair<string, object?>("outcome", outcome));

    public void CacheHit() => _cacheHits.Add(1);

    public void Refreshed(string outcome) => _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void UnauthorizedRetry() => _unauthorizedRetries.Add(1);

    public void ExpiryReminder(string threshold) => _expiring.Add(1, new KeyValuePair<string, object?>("threshold", threshold));

    public void Dispose() => _meter.Dispose();
}
