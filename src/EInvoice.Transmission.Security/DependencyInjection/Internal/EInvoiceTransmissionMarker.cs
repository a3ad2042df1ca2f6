namespace EInvoice.Transmission.Security.Internal;

/// <summary>Registered once by <c>AddEInvoiceTransmission</c>, so that a second call adds nothing.</summary>
internal sealed class EInvoiceTransmissionMarker;
