using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests;

/// <summary>Builds kernels on a fake clock for tests.</summary>
internal static class TestKernel
{
    /// <summary>A fixed, readable start time for every test clock.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static KernelCore Create(out FakeTimeProvider time, Action<KernelOptions>? configure = null, RecordingEventSink? events = null)
    {
        time = new FakeTimeProvider(Epoch);
        var options = new KernelOptions();
        configure?.Invoke(options);
        return new KernelCore(options, time, events);
    }

    /// <summary>A kernel whose rate limits never get in the way.</summary>
    public static KernelCore CreateUnlimited(out FakeTimeProvider time, RecordingEventSink? events = null) =>
        Create(out time, Unlimit, events);

    /// <summary>Takes the rate limits out of the way.</summary>
    public static void Unlimit(KernelOptions options)
    {
        options.RateLimit.RequestsPerHour = int.MaxValue;
        options.RateLimit.RequestsPerMinute = int.MaxValue;
        options.RateLimit.BurstSize = int.MaxValue;
    }

    public static ProcessId Pid(string value) => new(value);
}

/// <summary>An event sink that keeps every event.</summary>
internal sealed class RecordingEventSink : IKernelEventSink
{
    public List<KernelEvent> Events { get; } = [];

    public bool IsEnabled => true;

    public CommBusStatistics Statistics => new(Events.Count, 0, 0, 0, 0);

    public void Publish(KernelEvent kernelEvent) => Events.Add(kernelEvent);

    public IEnumerable<string> Types => Events.Select(e => e.EventType);
}
