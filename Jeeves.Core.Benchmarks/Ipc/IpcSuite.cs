using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Ipc;

/// <summary>
/// The <c>ipc</c> quick suite: <see cref="IpcCodecBenchmarks"/>, one pair of lines per size. The rate is whole frame
/// bytes (prefix, type byte and MessagePack payload) encoded and decoded per second; the allocation is per round trip.
/// </summary>
internal sealed class IpcSuite : IQuickSuite
{
    public string Name => "ipc";

    public IReadOnlyList<BenchLine> Run(IConfig config)
    {
        Summary summary = BenchmarkRunner.Run<IpcCodecBenchmarks>(config);
        if (summary.HasCriticalValidationErrors)
        {
            throw new InvalidOperationException($"{nameof(IpcCodecBenchmarks)} did not validate (log: {summary.LogFilePath})");
        }

        var lines = new List<BenchLine>();
        foreach (BenchmarkReport report in summary.Reports.OrderBy(r => (int)r.BenchmarkCase.Parameters[nameof(IpcCodecBenchmarks.Size)]))
        {
            int size = (int)report.BenchmarkCase.Parameters[nameof(IpcCodecBenchmarks.Size)];
            string name = string.Create(CultureInfo.InvariantCulture, $"ipc.codec_{size}");
            double nanoseconds = report.ResultStatistics?.Median
                ?? throw new InvalidOperationException($"{name} produced no result (log: {summary.LogFilePath})");
            long bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)
                ?? throw new InvalidOperationException($"{name} has no allocation data (log: {summary.LogFilePath})");
            lines.Add(new BenchLine(name, IpcCodecBenchmarks.FrameLength(size) * 1e9 / nanoseconds, "B/s"));
            lines.Add(new BenchLine(name + "_alloc", bytes, "B"));
        }

        return lines;
    }
}
