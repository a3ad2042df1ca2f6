namespace EInvoice.Transmission.Security.Tool;

/// <summary>Reports a company id the library refuses as the operator's mistake (exit code 2), not as a failure.</summary>
internal static class CompanyIds
{
    public static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ArgumentException ex) when (ex.ParamName == "companyId")
        {
            throw new ToolException(ex.Message.Split(" (Parameter", 2)[0]);
        }
    }
}
