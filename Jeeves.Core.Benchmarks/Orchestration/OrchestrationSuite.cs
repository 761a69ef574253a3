using BenchmarkDotNet.Configs;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Orchestration;

/// <summary>The <c>orchestration</c> quick suite: <see cref="OrchestrationBenchmarks"/>.</summary>
internal sealed class OrchestrationSuite : IQuickSuite
{
    public string Name => "orchestration";

    public IReadOnlyList<BenchLine> Run(IConfig config) => BenchmarkSuite.Run<OrchestrationBenchmarks>(config);
}
