using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace EInvoice.Transmission.Security.Benchmarks;

/// <summary>
/// Shows how many token requests an iteration of the stampede caused. The benchmark process writes the counts to a
/// file the host process reads, since BenchmarkDotNet runs benchmarks in a child process.
/// </summary>
public sealed class TokenRequestsColumn : IColumn
{
    private static readonly ConcurrentDictionary<string, int> Seen = new();

    public string Id => nameof(TokenRequestsColumn);

    public string ColumnName => "TokenRequests";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Token requests during the measured callers (the same in every iteration, or the iteration fails)";

    private static string FilePath(string benchmark, int companies) => Path.Combine(Path.GetTempPath(), $"eits-bench-{benchmark}-{companies}.txt");

    public static void Record(string benchmark, int companies, int requests)
    {
        if (Seen.TryAdd($"{benchmark}-{companies}", requests))
        {
            File.WriteAllText(FilePath(benchmark, companies), requests.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var companies = (int)benchmarkCase.Parameters["Companies"];
        var path = FilePath(benchmarkCase.Descriptor.WorkloadMethod.Name, companies);
        return File.Exists(path) ? File.ReadAllText(path) : "?";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new TokenRequestsColumn());
    }
}
