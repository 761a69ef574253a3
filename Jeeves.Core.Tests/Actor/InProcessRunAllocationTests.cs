using System.Text.Json.Nodes;

namespace Jeeves.Tests.Actor;

/// <summary>
/// A budget for what the in-process kernel allocates for one run, so that a change that makes every run copy the
/// pipeline, the process snapshot or the envelope again is noticed. The bound is loose (about 1.3 times what a run
/// costs today); the run is the one <c>PipelineRunner</c> drives.
/// </summary>
public sealed class InProcessRunAllocationTests
{
    private const long BudgetPerRun = 6_000;

    [Test]
    public async Task ThreeStageRun_KernelCallsStayWithinTheAllocationBudget()
    {
        // Arrange: uncontended calls run inline, on this thread, so this thread's allocation counter sees them.
        var options = new KernelOptions();
        TestKernel.Unlimit(options);
        options.Cleanup.Interval = TimeSpan.Zero;
        await using IKernelClient client = KernelClient.CreateInProcess(options);
        string[] agents = ["planner", "worker", "reviewer"];
        var pipeline = new PipelineConfig
        {
            Name = "three",
            Stages = [.. agents.Select((a, i) => i + 1 < agents.Length ? new PipelineStage(a, a, [RoutingRule.Always(agents[i + 1])]) : new PipelineStage(a, a))],
        };
        AgentResult[] results = [.. agents.Select(a => new AgentResult { AgentName = a, Output = new JsonObject { ["response"] = "ok" }, Metrics = new AgentExecutionMetrics { LlmCalls = 1 } })];
        for (int i = 0; i < 200; i++)
        {
            _ = await RunAsync(client, pipeline, results, i);      // warm up: static state, first-call paths
        }

        // Act
        const int Runs = 100;
        long total = 0;
        for (int i = 0; i < Runs; i++)
        {
            total += await RunAsync(client, pipeline, results, 1_000 + i);
        }

        // Assert
        Assert.That(total / Runs, Is.LessThanOrEqualTo(BudgetPerRun));
    }

    /// <summary>Runs the pipeline as the runner does and returns the bytes the kernel calls allocated.</summary>
    private static async Task<long> RunAsync(IKernelClient client, PipelineConfig pipeline, AgentResult[] results, int run)
    {
        var pid = new ProcessId("run-" + run);
        Envelope envelope = Envelope.Create(TestKernel.Epoch, new CreateEnvelopeOptions { RawInput = "plan a trip" });
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = await client.Orchestration.InitializeSessionAsync(pid, pipeline, envelope);
        _ = await client.Kernel.GetProcessAsync(pid);
        Instruction next = await client.Orchestration.GetNextInstructionAsync(pid);
        foreach (AgentResult result in results)
        {
            next = await client.Orchestration.ReportAgentResultAsync(pid, result);
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(next.Kind, Is.EqualTo(InstructionKind.Terminate));
        return bytes;
    }
}
