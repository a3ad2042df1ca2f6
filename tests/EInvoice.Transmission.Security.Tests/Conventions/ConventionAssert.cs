namespace EInvoice.Transmission.Security.Tests.Conventions;

/// <summary>Fails with every violation listed, one a line (a collection assertion shows only the first).</summary>
internal static class ConventionAssert
{
    public static void None(IEnumerable<string> violations, string because)
    {
        var list = violations.Distinct().Order(StringComparer.Ordinal).ToList();
        string.Join(Environment.NewLine, list).Should().BeEmpty($"{because}; {list.Count} violation(s)");
    }
}
