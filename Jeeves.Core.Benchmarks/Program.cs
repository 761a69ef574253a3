using BenchmarkDotNet.Running;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks;

/// <summary>
/// Runs the benchmarks. <c>--quick [suite...]</c> runs every registered quick suite (or the named ones) briefly and
/// prints one <c>bench</c> line per measurement; anything else goes to BenchmarkDotNet's switcher for a full run.
/// </summary>
internal static class Program
{
    private const string QuickFlag = "--quick";

    private static int Main(string[] args)
    {
        int quick = Array.IndexOf(args, QuickFlag);
        if (quick >= 0)
        {
            return QuickRunner.Run(args.Where((_, i) => i != quick).ToArray(), Console.Out, Console.Error);
        }

        _ = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
