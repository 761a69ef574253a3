using System.Diagnostics.Metrics;

namespace Jeeves.Observability;

/// <summary>
/// Owns the library's <see cref="Meter"/> (<see cref="TelemetryNames.Meter"/>) and its instruments, as Kestrel's
/// <c>KestrelMetrics</c> does. The meter comes from the application's <see cref="IMeterFactory"/> when there is one
/// (dependency injection registers it), so each container, and each test, sees only its own measurements; without a
/// factory the instance creates its own meter and disposes it.
/// </summary>
internal sealed class KernelMetrics : IDisposable
{
    // IPC calls take tens of microseconds on loopback; a commbus query may wait its timeout (up to 30 s).
    private static readonly double[] s_durationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Initializes a new instance of the <see cref="KernelMetrics"/> class.</summary>
    /// <param name="meterFactory">The application's meter factory, or <see langword="null"/> for a meter of this instance's own.</param>
    public KernelMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(new MeterOptions(TelemetryNames.Meter));
        }
        else
        {
            _meter = new Meter(TelemetryNames.Meter);
            _ownsMeter = true;
        }

        IpcActiveConnections = _meter.CreateUpDownCounter<long>(
            TelemetryNames.IpcActiveConnections, "{connection}", "Number of connections the IPC host is serving.");
        IpcRequests = _meter.CreateCounter<long>(
            TelemetryNames.IpcRequests, "{request}", "Number of requests the IPC host answered.");
        IpcRequestDuration = _meter.CreateHistogram(
            TelemetryNames.IpcRequestDuration, "s", "Duration of IPC requests, from the parsed request to the reply sent.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });
    }

    /// <summary>Gets <see cref="TelemetryNames.IpcActiveConnections"/>.</summary>
    public UpDownCounter<long> IpcActiveConnections { get; }

    /// <summary>Gets <see cref="TelemetryNames.IpcRequests"/>.</summary>
    public Counter<long> IpcRequests { get; }

    /// <summary>Gets <see cref="TelemetryNames.IpcRequestDuration"/>.</summary>
    public Histogram<double> IpcRequestDuration { get; }

    /// <summary>Disposes the meter when this instance created it; a factory's meters belong to the factory.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
