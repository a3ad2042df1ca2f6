using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security;

/// <summary>
/// Returned by <c>AddEInvoiceTransmission</c>: the place where storage and further options are chosen.
/// </summary>
public interface IEInvoiceTransmissionBuilder
{
    /// <summary>Gets the service collection the library is registered in.</summary>
    IServiceCollection Services { get; }
}
