using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using Jeeves.Benchmarks.Runtime;

namespace Jeeves.Benchmarks.Profile;

/// <summary>
/// <c>alloc [runs] [--hold]</c>: where a benchmark's allocations go, by type. Runs the <c>runtime.step</c> pipeline (both
/// <see cref="Jeeves.Runtime.PipelineRunner.RunAsync"/> and the stream) many times under an <see cref="EventListener"/>
/// that reads the runtime's sampled allocation events (one per ~100 KB allocated), and prints the exact bytes per run and
/// the sampled share of each allocated type. A tool to find the next thing to cut, not a measurement to quote.
/// </summary>
internal static class AllocationProfiler
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        int runs = args.Length > 0 && !args[0].StartsWith('-') ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        await using var bench = new RuntimeStepBenchmarks();
        await bench.SetupAsync();
        foreach ((string name, Func<Task> run) in new (string, Func<Task>)[]
        {
            ("RunAsync", bench.RunAsync),
            ("StreamAsync", bench.StreamAsync),
        })
        {
            for (int i = 0; i < 1000; i++)
            {
                await run();                                // warm up: tiered compilation, pools
            }

            using var listener = new AllocationListener();
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            TimeSpan paused = GC.GetTotalPauseDuration();
            long started = Stopwatch.GetTimestamp();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            int invocations = runs / RuntimeStepBenchmarks.RunsPerInvoke;
            for (int i = 0; i < invocations; i++)
            {
                await run();
            }

            long bytes = GC.GetTotalAllocatedBytes(precise: true) - before;
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long total = invocations * (long)RuntimeStepBenchmarks.RunsPerInvoke;
            long perRun = bytes / total;
            TimeSpan inGc = GC.GetTotalPauseDuration() - paused;
            output.WriteLine($"# {name}: {perRun:N0} B per {RuntimeStepBenchmarks.Steps}-step run ({total:N0} runs); {elapsed.TotalMicroseconds / total:N1} us per run with the listener on; " +
                $"GCs gen0/1/2 {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]}, paused {inGc.TotalMilliseconds:N0} ms ({inGc / elapsed:P0} of the time)");
            listener.Print(output, perRun);
        }

        // What a finished run keeps alive until the kernel's cleanup collects it.
        await using var keeping = new RuntimeStepBenchmarks { CleanupInterval = TimeSpan.FromHours(1), ProcessRetention = TimeSpan.FromHours(1) };
        await keeping.SetupAsync();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        const int Kept = 2_000;
        for (int i = 0; i < Kept / RuntimeStepBenchmarks.RunsPerInvoke; i++)
        {
            _ = await keeping.RunAsync();
        }

        long retained = (GC.GetTotalMemory(forceFullCollection: true) - heap) / Kept;
        output.WriteLine($"# with a retention, a finished run keeps {retained:N0} B alive until cleanup");
        if (args.Contains("--hold"))
        {
            // Time to take a heap dump of the finished runs (dotnet-gcdump collect -p PID).
            output.WriteLine($"# holding {Kept:N0} finished runs for 60 s in process {Environment.ProcessId}");
            await Task.Delay(TimeSpan.FromSeconds(60), TimeProvider.System);
            GC.KeepAlive(keeping);
        }

        return 0;
    }

    private sealed class AllocationListener : EventListener
    {
        private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private long _total;

        public void Print(TextWriter output, long perRun)
        {
            lock (_gate)
            {
                foreach ((string type, long bytes) in _bytesByType.OrderByDescending(p => p.Value).Take(40))
                {
                    double share = (double)bytes / _total;
                    output.WriteLine($"{share,7:P1} {share * perRun,8:N0} B  {type}");
                }
            }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1);    // GC keyword: AllocationTick is verbose
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }

            int typeIndex = eventData.PayloadNames.IndexOf("TypeName");
            int amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
            if (typeIndex < 0 || amountIndex < 0)
            {
                return;
            }

            string type = eventData.Payload![typeIndex] as string ?? "?";
            long amount = Convert.ToInt64(eventData.Payload[amountIndex], CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
                _total += amount;
            }
        }
    }
}
