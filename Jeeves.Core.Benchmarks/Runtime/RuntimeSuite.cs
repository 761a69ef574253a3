using BenchmarkDotNet.Configs;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Runtime;

/// <summary>The <c>runtime</c> quick suite: <see cref="RuntimeStepBenchmarks"/>.</summary>
internal sealed class RuntimeSuite : IQuickSuite
{
    public string Name => "runtime";

    public IReadOnlyList<BenchLine> Run(IConfig config) => BenchmarkSuite.Run<RuntimeStepBenchmarks>(config);
}
