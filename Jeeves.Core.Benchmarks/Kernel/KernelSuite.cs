using BenchmarkDotNet.Configs;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Kernel;

/// <summary>The <c>kernel</c> quick suite: <see cref="KernelBenchmarks"/> and the heap size of 100,000 live processes.</summary>
internal sealed class KernelSuite : IQuickSuite
{
    public string Name => "kernel";

    public IReadOnlyList<BenchLine> Run(IConfig config)
    {
        var lines = new List<BenchLine>(BenchmarkSuite.Run<KernelBenchmarks>(config))
        {
            new("kernel.heap_100k_processes", KernelHeapProbe.MeasureMegabytes(100_000), "MB"),
        };
        return lines;
    }
}
