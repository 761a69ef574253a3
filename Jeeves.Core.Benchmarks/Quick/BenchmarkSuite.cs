using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Jeeves.Benchmarks.Quick;

/// <summary>Runs one benchmark class and turns its <see cref="QuickMetricAttribute"/> methods into lines.</summary>
internal static class BenchmarkSuite
{
    /// <summary>
    /// Runs <typeparamref name="TBenchmarks"/> and returns its lines, ordered by <see cref="QuickMetricAttribute.Order"/>.
    /// A time is the median of the measured iterations: a quick run is short and often shares its cores, and the median
    /// keeps one disturbed iteration from moving the result.
    /// </summary>
    /// <exception cref="InvalidOperationException">A benchmark failed, or a line needs a baseline the class lacks.</exception>
    public static IReadOnlyList<BenchLine> Run<TBenchmarks>(IConfig config)
    {
        Summary summary = BenchmarkRunner.Run<TBenchmarks>(config);
        if (summary.HasCriticalValidationErrors)
        {
            throw new InvalidOperationException(
                $"{typeof(TBenchmarks).Name} did not validate: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))} (log: {summary.LogFilePath})");
        }

        BenchmarkReport? baseline = summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
        var lines = new List<BenchLine>();
        var measured =
            from report in summary.Reports
            let method = report.BenchmarkCase.Descriptor.WorkloadMethod
            let metric = method.GetCustomAttribute<QuickMetricAttribute>()
            where metric is not null
            orderby metric.Order, method.MetadataToken
            select (report, method, metric);
        foreach ((BenchmarkReport report, MethodInfo method, QuickMetricAttribute metric) in measured)
        {
            double? baselineMedian = null;
            if (metric.CompareToBaseline)
            {
                baselineMedian = MedianOf(baseline ?? throw new InvalidOperationException($"{method.Name} compares to a baseline, but {typeof(TBenchmarks).Name} has none"), summary);
            }

            lines.Add(new BenchLine(metric.Name, MedianOf(report, summary), "ns", baselineMedian));
            if (metric.AllocationMetric is { } allocationMetric)
            {
                long bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)
                    ?? throw new InvalidOperationException($"{method.Name} has no allocation data: is [MemoryDiagnoser] on {typeof(TBenchmarks).Name}? (log: {summary.LogFilePath})");
                lines.Add(new BenchLine(allocationMetric, bytes * metric.AllocationOperations, "B"));
            }
        }

        return lines;
    }

    private static double MedianOf(BenchmarkReport report, Summary summary) =>
        report.ResultStatistics?.Median
        ?? throw new InvalidOperationException($"{report.BenchmarkCase.Descriptor.WorkloadMethod.Name} produced no result (log: {summary.LogFilePath})");
}
