namespace EInvoice.Transmission.Security;

/// <summary>A data key wrapped by an <see cref="IKeyWrapper"/>: the envelope suite that names the wrap algorithm, and the wrapped bytes.</summary>
/// <remarks>docs/envelope-format.md lists the suites and the layout of each one's wrapped bytes.</remarks>
public readonly struct WrappedKey
{
    /// <summary>Creates a wrapped key.</summary>
    /// <param name="suite">The envelope suite byte of the wrap algorithm.</param>
    /// <param name="value">The wrapped bytes; they are not secret.</param>
    public WrappedKey(byte suite, ReadOnlyMemory<byte> value)
    {
        Suite = suite;
        Value = value;
    }

    /// <summary>Gets the envelope suite byte of the wrap algorithm.</summary>
    public byte Suite { get; }

    /// <summary>Gets the wrapped bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; }
}
