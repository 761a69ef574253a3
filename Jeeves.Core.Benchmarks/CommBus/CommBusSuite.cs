using BenchmarkDotNet.Configs;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.CommBus;

/// <summary>The <c>commbus</c> quick suite: <see cref="CommBusBenchmarks"/>, with the fan-out reported as deliveries per second.</summary>
internal sealed class CommBusSuite : IQuickSuite
{
    private const string Fanout = "commbus.fanout";

    public string Name => "commbus";

    public IReadOnlyList<BenchLine> Run(IConfig config) =>
        BenchmarkSuite.Run<CommBusBenchmarks>(config).Select(ToDeliveryRate).ToList();

    // The benchmark measures nanoseconds per publish, and one publish is Subscribers deliveries.
    private static BenchLine ToDeliveryRate(BenchLine line) =>
        line.Name == Fanout ? new BenchLine(Fanout, CommBusBenchmarks.Subscribers * 1e9 / line.Value, "deliveries/s") : line;
}
