using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Jeeves.Ipc;
using Microsoft.Extensions.DependencyInjection;

namespace Jeeves.Tests.Ipc.Host;

/// <summary>The host's <c>jeeves.ipc.*</c> instruments, read through a <see cref="MeterListener"/> on the test's own meter factory.</summary>
public sealed class HostMetricsTests
{
    [Test]
    public async Task Requests_CountedTimedAndTagged_ConnectionsGoUpAndDown()
    {
        // Arrange: a meter factory as dependency injection registers it, and a listener that hears only its meters.
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var recorder = new Recorder(factory);
        IKernelClient kernel = KernelClient.CreateInProcess();
        await using var _ = kernel;
        await using var host = new KernelTcpHost(kernel, new TcpHostOptions { Port = 0 }, meterFactory: factory);
        await host.StartAsync(CancellationToken.None);

        // Act
        await using (WireClient client = await WireClient.ConnectAsync(host.LocalEndPoint!))
        {
            Assert.That((await client.CallAsync("a", "kernel", "GetSystemStatus")).Ok, Is.True);
            Assert.That((await client.CallAsync("b", "kernel", "GetProcess", """{"pid":"ghost"}""")).ErrorCode, Is.EqualTo("NOT_FOUND"));
            Assert.That((await client.CallAsync("c", "made-up-service", "Anything")).ErrorCode, Is.EqualTo("NOT_FOUND"));
            Assert.That((await client.CallAsync("d", "kernel", "MadeUp")).ErrorCode, Is.EqualTo("NOT_FOUND"));
            await HostTestKit.EventuallyAsync(() => recorder.Of("jeeves.ipc.active_connections").Count == 1);
        }

        await HostTestKit.EventuallyAsync(() => recorder.Of("jeeves.ipc.active_connections").Count == 2);

        // Assert
        Assert.That(recorder.Of("jeeves.ipc.active_connections").Select(m => m.Value), Is.EqualTo(new double[] { 1, -1 }));
        string[] expected =
        [
            "kernel/GetSystemStatus/",
            "kernel/GetProcess/NOT_FOUND",
            "_OTHER/_OTHER/NOT_FOUND",
            "kernel/_OTHER/NOT_FOUND",
        ];
        Assert.That(recorder.Of("jeeves.ipc.requests").Select(Describe), Is.EqualTo(expected));
        Assert.That(recorder.Of("jeeves.ipc.requests").Select(m => m.Value), Is.All.EqualTo(1));
        Assert.That(recorder.Of("jeeves.ipc.request.duration").Select(Describe), Is.EqualTo(expected));
        Assert.That(recorder.Of("jeeves.ipc.request.duration").Select(m => m.Value), Is.All.InRange(0.0, 10.0));
    }

    [Test]
    public void Instruments_NamesUnitsAndMeter_AsTheConventionsSay()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new Jeeves.Observability.KernelMetrics(services.GetRequiredService<IMeterFactory>());
        using var own = new Jeeves.Observability.KernelMetrics(meterFactory: null);

        Assert.That((metrics.IpcActiveConnections.Name, metrics.IpcActiveConnections.Unit), Is.EqualTo(("jeeves.ipc.active_connections", "{connection}")));
        Assert.That((metrics.IpcRequests.Name, metrics.IpcRequests.Unit), Is.EqualTo(("jeeves.ipc.requests", "{request}")));
        Assert.That((metrics.IpcRequestDuration.Name, metrics.IpcRequestDuration.Unit), Is.EqualTo(("jeeves.ipc.request.duration", "s")));
        Assert.That((metrics.IpcRequests.Meter.Name, own.IpcRequests.Meter.Name), Is.EqualTo(("Jeeves.Core", "Jeeves.Core")));
        Assert.That(own.IpcRequests.Meter.Scope, Is.Null);
    }

    private static string Describe(Measurement m) =>
        $"{m.Tags.GetValueOrDefault("rpc.service")}/{m.Tags.GetValueOrDefault("rpc.method")}/{m.Tags.GetValueOrDefault("error.type")}";

    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    /// <summary>Records the measurements of the meters one factory created.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<Measurement> _measurements = new();

        public Recorder(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
            _listener.Start();
        }

        public List<Measurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            _measurements.Enqueue(new Measurement(instrument.Name, value, map));
        }
    }
}
