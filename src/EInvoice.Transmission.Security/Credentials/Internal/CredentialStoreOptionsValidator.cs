using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>Checks <see cref="CredentialStoreOptions"/> at start-up from the ranges declared on its properties (source-generated).</summary>
[OptionsValidator]
internal sealed partial class CredentialStoreOptionsValidator : IValidateOptions<CredentialStoreOptions>;
