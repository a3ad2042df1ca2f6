namespace EInvoice.Transmission.Security.Internal;

/// <summary>The registered credential repository does not implement a storage contract that nothing else provides.</summary>
internal sealed class StorageContractMissingException(string message) : InvalidOperationException(message);
