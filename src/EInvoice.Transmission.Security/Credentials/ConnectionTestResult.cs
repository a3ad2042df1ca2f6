namespace EInvoice.Transmission.Security;

/// <summary>The outcome of a connection test: whether the stored credentials worked against the platform.</summary>
/// <param name="TestedAt">When the test ran.</param>
/// <param name="Succeeded">Whether the credentials were accepted.</param>
/// <param name="Error">Why the test failed, scrubbed of every secret; <see langword="null"/> on success.</param>
public sealed record ConnectionTestResult(DateTimeOffset TestedAt, bool Succeeded, string? Error);
