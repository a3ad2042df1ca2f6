namespace EInvoice.Transmission.Security.Tool;

/// <summary>A problem the operator can fix (a wrong option, missing configuration), reported with its message and exit code, without a stack trace.</summary>
internal sealed class ToolException : Exception
{
    public ToolException()
    {
    }

    public ToolException(string message)
        : this(ExitCodes.Usage, message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Usage;
    }

    public ToolException(int exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Usage;
}
