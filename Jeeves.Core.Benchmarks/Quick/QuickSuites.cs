using Jeeves.Benchmarks.CommBus;
using Jeeves.Benchmarks.Ipc;
using Jeeves.Benchmarks.Kernel;
using Jeeves.Benchmarks.Orchestration;
using Jeeves.Benchmarks.Runtime;
using Jeeves.Benchmarks.Tools;

namespace Jeeves.Benchmarks.Quick;

/// <summary>The quick suites, in run order. Later suites (tools, ipc...) add themselves here.</summary>
internal static class QuickSuites
{
    public static IReadOnlyList<IQuickSuite> All { get; } =
    [
        new KernelSuite(),
        new ToolsSuite(),
        new OrchestrationSuite(),
        new CommBusSuite(),
        new IpcSuite(),
        new RuntimeSuite(),
    ];
}
