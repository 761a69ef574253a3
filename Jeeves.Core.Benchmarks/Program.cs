using BenchmarkDotNet.Running;
using Jeeves.Benchmarks.Load;
using Jeeves.Benchmarks.Profile;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks;

/// <summary>
/// Runs the benchmarks. <c>--quick [suite...]</c> runs every registered quick suite (or the named ones) briefly and
/// prints one <c>bench</c> line per measurement; <c>load [options]</c> drives a host speaking the IPC wire protocol
/// (or an in-process echo server) over TCP; <c>alloc [runs]</c> prints where a pipeline run's allocations go; anything else goes to BenchmarkDotNet's switcher for a full run.
/// </summary>
internal static class Program
{
    private const string QuickFlag = "--quick";
    private const string LoadVerb = "load";
    private const string AllocVerb = "alloc";

    private static Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == LoadVerb)
        {
            return LoadRunner.RunAsync(args[1..], Console.Out, Console.Error);
        }

        if (args.Length > 0 && args[0] == AllocVerb)
        {
            return AllocationProfiler.RunAsync(args[1..], Console.Out);
        }

        int quick = Array.IndexOf(args, QuickFlag);
        if (quick >= 0)
        {
            return Task.FromResult(QuickRunner.Run(args.Where((_, i) => i != quick).ToArray(), Console.Out, Console.Error));
        }

        _ = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return Task.FromResult(0);
    }
}
