using Microsoft.Extensions.DependencyInjection;

namespace EInvoice.Transmission.Security.Internal;

internal sealed record EInvoiceTransmissionBuilder(IServiceCollection Services) : IEInvoiceTransmissionBuilder;
