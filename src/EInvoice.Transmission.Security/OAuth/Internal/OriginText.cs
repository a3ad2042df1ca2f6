namespace EInvoice.Transmission.Security.Internal;

/// <summary>How an endpoint is named in messages: what an operator needs to find a fault, and nothing that could carry a secret.</summary>
internal static class OriginText
{
    /// <summary>
    /// <c>scheme://host:port</c> of <paramref name="uri"/> (the port always written), or <see langword="null"/> for
    /// none. User information, path and query are left out: they could carry anything.
    /// </summary>
    public static string? Of(Uri? uri)
        => uri is { IsAbsoluteUri: true }
            ? uri.GetComponents(UriComponents.Scheme | UriComponents.Host | UriComponents.StrongPort, UriFormat.UriEscaped)
            : null;
}
