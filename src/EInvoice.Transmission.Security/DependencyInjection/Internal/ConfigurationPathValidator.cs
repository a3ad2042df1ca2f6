using Microsoft.Extensions.Options;

namespace EInvoice.Transmission.Security.Internal;

/// <summary>
/// Runs a source-generated options validator and names each failing setting by its configuration path
/// (<c>EInvoiceTransmission:OAuth:TokenRequestTimeout</c>), which is what an operator searches their settings for.
/// </summary>
/// <remarks>
/// The generated validator names a member <c>{name}.{Member}</c>; it is given the section as the name, and the dot
/// becomes the configuration separator. (It ignores a <c>[Range]</c>'s <c>ErrorMessage</c>, so that cannot carry the path.)
/// </remarks>
internal sealed class ConfigurationPathValidator<TOptions>(IValidateOptions<TOptions> generated, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = generated.Validate(string.IsNullOrEmpty(name) ? section : $"{section}({name})", options);
        return result.Failed
            ? ValidateOptionsResult.Fail(result.Failures!.Select(f => f.Replace($"{section}.", $"{section}:", StringComparison.Ordinal)))
            : result;
    }
}
