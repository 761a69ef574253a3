using BenchmarkDotNet.Configs;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Tools;

/// <summary>The <c>tools</c> quick suite: <see cref="ToolBenchmarks"/>.</summary>
internal sealed class ToolsSuite : IQuickSuite
{
    public string Name => "tools";

    public IReadOnlyList<BenchLine> Run(IConfig config) => BenchmarkSuite.Run<ToolBenchmarks>(config);
}
