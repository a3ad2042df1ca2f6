namespace EInvoice.Transmission.Security.Internal;

/// <summary>Who asks for a company's credentials: a client of one environment, for one request address.</summary>
/// <param name="Environment">The environment of the client (<c>AddEInvoiceAuthentication(environment)</c>).</param>
/// <param name="RequestUri">The address the request goes to.</param>
internal readonly record struct Requester(TransmissionEnvironment Environment, Uri? RequestUri);
