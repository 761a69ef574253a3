using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Jeeves.Actor;
using Jeeves.Benchmarks.Kernel;
using Jeeves.Benchmarks.Quick;

namespace Jeeves.Benchmarks.Orchestration;

/// <summary>
/// One orchestration step through the in-process client: <c>GetNextInstructionAsync</c> then
/// <c>ReportAgentResultAsync</c>, on a three-stage pipeline that loops (s1 → s2 → s3 → s1) within generous budgets.
/// </summary>
/// <remarks>
/// Each invocation restarts the session (forced re-initialisation) and then runs <see cref="StepsPerInvoke"/> steps,
/// so the envelope's processing history stays short, as in a real run, and the restart is a small share of the
/// time. Every step charges the process's quota, as a real run does. Nobody subscribes to the bus, as in a host
/// without observers.
/// </remarks>
[MemoryDiagnoser]
public class OrchestrationBenchmarks : IAsyncDisposable
{
    /// <summary>Steps per invocation: a run of ten passes through the three stages, a typical run's length.</summary>
    public const int StepsPerInvoke = 30;

    private static readonly ProcessId s_pid = new("bench-run");
    private static readonly PipelineConfig s_pipeline = new()
    {
        Name = "bench",
        Stages =
        [
            new PipelineStage("s1", "planner", [RoutingRule.Always("s2")]),
            new PipelineStage("s2", "worker", [RoutingRule.When("done", true, "s3"), RoutingRule.Always("s2")]),
            new PipelineStage("s3", "reviewer", [RoutingRule.Always("s1")]),
        ],
        MaxIterations = int.MaxValue,
        MaxLlmCalls = int.MaxValue,
        MaxAgentHops = int.MaxValue,
    };

    private InProcessKernelClient? _client;
    private Envelope? _envelope;
    private Dictionary<string, AgentResult> _results = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        KernelOptions options = BenchKernel.UnlimitedOptions();
        options.DefaultQuota = new ResourceQuota { MaxLlmCalls = int.MaxValue, MaxAgentHops = int.MaxValue, MaxIterations = int.MaxValue };
        _client = InProcessKernelClient.Create(options, TimeProvider.System, logger: null);
        _envelope = Envelope.Create(TimeProvider.System.GetUtcNow(), new CreateEnvelopeOptions { RawInput = "plan a trip" });
        var metrics = new AgentExecutionMetrics { LlmCalls = 1, TokensIn = 120, TokensOut = 40, Duration = TimeSpan.FromMilliseconds(5) };
        _results = new Dictionary<string, AgentResult>
        {
            ["planner"] = new() { AgentName = "planner", Output = new JsonObject { ["plan"] = "search then answer" }, Metrics = metrics },
            ["worker"] = new() { AgentName = "worker", Output = new JsonObject { ["done"] = true, ["answer"] = "Paris" }, Metrics = metrics },
            ["reviewer"] = new() { AgentName = "reviewer", Output = new JsonObject { ["approved"] = true }, Metrics = metrics },
        };
        _ = await _client.Orchestration.InitializeSessionAsync(s_pid, s_pipeline, _envelope).ConfigureAwait(false);
    }

    /// <summary><c>orchestration.step</c>: get the next instruction, then report the instructed agent's result.</summary>
    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    [QuickMetric("orchestration.step", AllocationMetric = "orchestration.step_alloc")]
    public async Task<Instruction> Step()
    {
        IOrchestrationService orchestration = _client!.Orchestration;
        _ = await orchestration.InitializeSessionAsync(s_pid, s_pipeline, _envelope!, force: true).ConfigureAwait(false);
        Instruction last = null!;
        for (int i = 0; i < StepsPerInvoke; i++)
        {
            Instruction next = await orchestration.GetNextInstructionAsync(s_pid).ConfigureAwait(false);
            last = await orchestration.ReportAgentResultAsync(s_pid, _results[next.AgentName!]).ConfigureAwait(false);
        }

        return last;
    }

    [GlobalCleanup]
    public Task CleanupAsync() => DisposeAsync().AsTask();

    /// <summary>Stops the kernel. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_client is { } client)
        {
            _client = null;
            await client.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }
}
