using Jeeves.Kernel;

namespace Jeeves.Benchmarks.Kernel;

/// <summary>Measures the managed heap a kernel needs for a number of live processes.</summary>
internal static class KernelHeapProbe
{
    /// <summary>
    /// Creates a kernel with <paramref name="processes"/> READY processes (default options, so each gets a generated
    /// request id and session id) and returns the growth of the managed heap, in MB (2^20 bytes), between full
    /// collections taken before and after. Everything the kernel keeps counts: pids, records, the ready queue and the
    /// rate limiter's log.
    /// </summary>
    public static double MeasureMegabytes(int processes)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        KernelCore core = BenchKernel.WithReadyProcesses(processes, TimeProvider.System);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        if (core.GetProcessCounts().Total != processes)
        {
            throw new InvalidOperationException($"Expected {processes} processes, found {core.GetProcessCounts().Total}");
        }

        GC.KeepAlive(core);
        return (after - before) / (1024.0 * 1024.0);
    }
}
