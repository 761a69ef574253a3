using System.Text.Json;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Jeeves.Benchmarks.Quick;
using Jeeves.CommBus;

namespace Jeeves.Benchmarks.CommBus;

/// <summary>
/// The message bus: one <see cref="MessageBus.Publish"/> fanned out to <see cref="Subscribers"/> subscriptions, each
/// with its own bounded channel.
/// </summary>
/// <remarks>
/// Every delivery is counted only once it has been read back out of its subscriber's channel: after each batch of
/// publishes the benchmark drains all ten channels with <c>TryRead</c> on this thread and checks that it read exactly
/// what <see cref="MessageBus.Publish"/> reported, so the time per publish includes writing into and reading from ten
/// channels. Batches stay under the subscriber capacity, so nothing is dropped. The subscriptions mix the three kinds
/// of pattern (exact, <c>prefix.*</c>, <c>*</c>). The event is built once, as the kernel builds one event per publish
/// whatever the number of subscribers, so the allocation line is the bus's own cost per publish.
/// </remarks>
[MemoryDiagnoser]
public class CommBusBenchmarks : IDisposable
{
    /// <summary>Subscriptions every publish is delivered to.</summary>
    public const int Subscribers = 10;

    /// <summary>Publishes per invocation of <see cref="Fanout"/>.</summary>
    public const int PublishesPerInvoke = 1024;

    /// <summary>Publishes between two drains; below the default subscriber capacity of 1024.</summary>
    private const int Batch = 256;

    private static readonly string[][] s_patterns = [["process.created"], ["process.*"], ["*"]];

    private MessageBus? _bus;
    private ChannelReader<BusEvent>[] _readers = [];
    private BusEvent? _event;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new MessageBus();
        _readers = Enumerable.Range(0, Subscribers)
            .Select(i => ((Subscription)_bus.SubscribeAsync(s_patterns[i % s_patterns.Length], "bench-" + i)).Reader)
            .ToArray();
        using JsonDocument payload = JsonDocument.Parse("""{"pid":"p1","request_id":"r1","user_id":"u1","session_id":"s1"}""");
        _event = new BusEvent("process.created", payload.RootElement.Clone(), DateTimeOffset.UnixEpoch, "kernel");
    }

    /// <summary>One publish to ten subscriptions, and the ten deliveries read back out.</summary>
    [Benchmark(OperationsPerInvoke = PublishesPerInvoke)]
    [QuickMetric("commbus.fanout", AllocationMetric = "commbus.fanout_alloc")]
    public int Fanout()
    {
        MessageBus bus = _bus!;
        BusEvent e = _event!;
        int delivered = 0;
        int read = 0;
        for (int batch = 0; batch < PublishesPerInvoke / Batch; batch++)
        {
            for (int i = 0; i < Batch; i++)
            {
                delivered += bus.Publish(e);
            }

            foreach (ChannelReader<BusEvent> reader in _readers)
            {
                while (reader.TryRead(out _))
                {
                    read++;
                }
            }
        }

        if (delivered != PublishesPerInvoke * Subscribers || read != delivered)
        {
            throw new InvalidOperationException($"Expected {PublishesPerInvoke * Subscribers} deliveries; published {delivered}, read {read}");
        }

        return read;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _bus?.Dispose();
        _bus = null;
        GC.SuppressFinalize(this);
    }
}
