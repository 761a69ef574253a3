using BenchmarkDotNet.Configs;

namespace Jeeves.Benchmarks.Quick;

/// <summary>A group of measurements that quick mode runs. Add one to <see cref="QuickSuites.All"/> to register it.</summary>
internal interface IQuickSuite
{
    /// <summary>Gets the suite name, the prefix of its metric names (<c>kernel</c>, <c>tools</c>, <c>ipc</c>...).</summary>
    string Name { get; }

    /// <summary>Runs the suite's measurements.</summary>
    /// <param name="config">The short in-process BenchmarkDotNet configuration to run benchmark classes with.</param>
    /// <returns>The measurements, in print order.</returns>
    /// <exception cref="InvalidOperationException">A benchmark failed or produced no result.</exception>
    IReadOnlyList<BenchLine> Run(IConfig config);
}
