using System.Globalization;
using Jeeves.Kernel;

namespace Jeeves.Benchmarks.Kernel;

/// <summary>Kernel settings and fixtures shared by the kernel benchmarks.</summary>
internal static class BenchKernel
{
    /// <summary>Creates options whose rate limits never refuse and whose cleanup timer is off, so the kernel does
    /// only the work a benchmark asks for.</summary>
    public static KernelOptions UnlimitedOptions()
    {
        var options = new KernelOptions();
        options.RateLimit.RequestsPerHour = int.MaxValue;
        options.RateLimit.RequestsPerMinute = int.MaxValue;
        options.RateLimit.BurstSize = int.MaxValue;
        options.Cleanup.Interval = TimeSpan.Zero;
        return options;
    }

    /// <summary>Creates <paramref name="count"/> distinct pids, <c>{prefix}-0</c>, <c>{prefix}-1</c>...</summary>
    public static ProcessId[] Pids(string prefix, int count)
    {
        var pids = new ProcessId[count];
        for (int i = 0; i < count; i++)
        {
            pids[i] = new ProcessId(string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}"));
        }

        return pids;
    }

    /// <summary>Creates a kernel holding <paramref name="count"/> READY processes with default options.</summary>
    public static KernelCore WithReadyProcesses(int count, TimeProvider timeProvider)
    {
        var core = new KernelCore(UnlimitedOptions(), timeProvider);
        for (int i = 0; i < count; i++)
        {
            _ = core.CreateProcess(new ProcessId(string.Create(CultureInfo.InvariantCulture, $"ready-{i}")));
        }

        return core;
    }
}
