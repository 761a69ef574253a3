using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Jeeves.Actor;
using Jeeves.Benchmarks.Kernel;
using Jeeves.Benchmarks.Quick;
using Jeeves.Runtime;

namespace Jeeves.Benchmarks.Runtime;

/// <summary>
/// The runtime's overhead per agent step: a three-stage pipeline of LLM agents run to its end by
/// <see cref="PipelineRunner"/> over the in-process kernel, with a model that answers at once
/// (<see cref="ZeroLatencyChatClient"/>), against the same three steps as a Microsoft Agent Framework workflow in the
/// same run (<see cref="AgentFrameworkPipeline"/>).
/// </summary>
/// <remarks>
/// An operation is one agent step: an invocation does <see cref="RunsPerInvoke"/> runs of <see cref="Steps"/> steps, so
/// times are per step, and the allocation lines give bytes per run. Each of our runs creates a new kernel process and session, and each step goes through
/// <c>GetNextInstruction</c>/<c>ReportAgentResult</c> on the kernel actor, renders the agent's prompt, calls the model
/// through the runner's metering wrapper and parses the reply. Agents ask again for no reply
/// (<see cref="AgentDefinition.OutputRetries"/> is 0), so a step is one model call whatever the JSON parser makes of
/// the answer. The kernel keeps no finished process (<see cref="CleanupOptions.ProcessRetention"/> is zero), so the
/// report that ends a run releases its process and session; rate limits are off. The peer's executors answer their input
/// plus one and call no model, so it does strictly less work per step than ours.
/// </remarks>
[MemoryDiagnoser]
public class RuntimeStepBenchmarks : IAsyncDisposable
{
    /// <summary>Agent steps per run: the pipeline's three stages.</summary>
    public const int Steps = 3;

    /// <summary>Runs per invocation, so that the benchmark harness's own wait for the invocation's task is a small share of the time.</summary>
    public const int RunsPerInvoke = 10;

    private const string PipelineName = "bench";

    private static readonly RunRequest s_request = new() { Pipeline = PipelineName, Input = "plan a trip to Paris" };

    private IKernelClient? _kernel;
    private PipelineRunner? _runner;
    private ZeroLatencyChatClient? _chat;
    private AgentFrameworkPipeline? _peer;

    /// <summary>Gets or sets how often the kernel's cleanup collects finished processes (for profiling what a finished run keeps).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long the kernel keeps a finished process; zero (the benchmark's setting) releases it as its run ends.</summary>
    public TimeSpan ProcessRetention { get; set; } = TimeSpan.Zero;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        KernelOptions options = BenchKernel.UnlimitedOptions();
        options.Cleanup.Interval = CleanupInterval;
        options.Cleanup.ProcessRetention = ProcessRetention;
        _kernel = InProcessKernelClient.Create(options, TimeProvider.System, logger: null);
        _chat = new ZeroLatencyChatClient();
        _runner = new PipelineRunner(_kernel, new CapabilityRegistry([Capability()]), new PipelineRunnerOptions { ChatClient = _chat });
        _peer = new AgentFrameworkPipeline();

        // Check once that both sides do the work they are measured on.
        long calls = _chat.Calls;
        RunResult result = await _runner.RunAsync(s_request);
        if (!result.IsCompleted || result.Usage.AgentRuns != Steps || _chat.Calls - calls != Steps)
        {
            throw new InvalidOperationException($"The benchmark pipeline did not run {Steps} model-calling steps: {result.TerminalReason} {result.Error}, {result.Usage.AgentRuns} agent runs, {_chat.Calls - calls} model calls");
        }

        if (await StreamOneAsync() < 2 + (2 * Steps))
        {
            throw new InvalidOperationException("The stream did not report every step");
        }

        if ((await _peer.RunAsync(0)).Output != Steps)
        {
            throw new InvalidOperationException("The Agent Framework workflow did not run its three steps");
        }

        // Bring all three paths to their optimised code (tiered compilation, dynamic PGO) and the heap to its working size
        // before anything is measured: without this, whichever benchmark the harness runs first measured up to three
        // times slower than it runs once warm.
        await WarmUpAsync(StreamAsync);
        await WarmUpAsync(RunAsync);
        await WarmUpAsync(AgentFramework);
    }

    private static async Task WarmUpAsync<T>(Func<Task<T>> invoke)
    {
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(750))
        {
            _ = await invoke();
        }
    }

    /// <summary><c>runtime.step</c>: runs streamed with <see cref="PipelineRunner.StreamAsync"/>, every event read.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RunsPerInvoke * Steps)]
    [QuickMetric("runtime.step", AllocationMetric = "runtime.step_alloc", AllocationOperations = Steps, Order = 0)]
    public async Task<int> StreamAsync()
    {
        int events = 0;
        for (int i = 0; i < RunsPerInvoke; i++)
        {
            events += await StreamOneAsync();
        }

        return events;
    }

    /// <summary><c>runtime.step_run</c>: runs with <see cref="PipelineRunner.RunAsync"/>, which raises no events.</summary>
    [Benchmark(OperationsPerInvoke = RunsPerInvoke * Steps)]
    [QuickMetric("runtime.step_run", AllocationMetric = "runtime.step_run_alloc", AllocationOperations = Steps, Order = 1)]
    public async Task<RunResult> RunAsync()
    {
        RunResult result = null!;
        for (int i = 0; i < RunsPerInvoke; i++)
        {
            result = await _runner!.RunAsync(s_request);
            if (!result.IsCompleted)
            {
                throw new InvalidOperationException($"The run did not complete: {result.TerminalReason} {result.Error}");
            }
        }

        return result;
    }

    /// <summary><c>runtime.maf_step</c>: the three steps as a Microsoft Agent Framework workflow, events collected.</summary>
    [Benchmark(OperationsPerInvoke = RunsPerInvoke * Steps)]
    [QuickMetric("runtime.maf_step", AllocationMetric = "runtime.maf_step_alloc", AllocationOperations = Steps, CompareToBaseline = true, Order = 2)]
    public async Task<int> AgentFramework()
    {
        int events = 0;
        for (int i = 0; i < RunsPerInvoke; i++)
        {
            (int output, int raised) = await _peer!.RunAsync(0);
            events += output == Steps ? raised : throw new InvalidOperationException($"The workflow answered {output}");
        }

        return events;
    }

    [GlobalCleanup]
    public Task CleanupAsync() => DisposeAsync().AsTask();

    /// <summary>Stops the kernel. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_kernel is IAsyncDisposable kernel)
        {
            _kernel = null;
            await kernel.DisposeAsync();
        }

        _chat?.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<int> StreamOneAsync()
    {
        int events = 0;
        RunEvent? last = null;
        await foreach (RunEvent e in _runner!.StreamAsync(s_request))
        {
            events++;
            last = e;
        }

        return last is RunCompleted { Result.IsCompleted: true } ? events : throw new InvalidOperationException($"The run did not complete: {last}");
    }

    /// <summary>planner → worker → reviewer, each an LLM agent with a system and a user prompt.</summary>
    private static CapabilityDefinition Capability()
    {
        var builder = new CapabilityBuilder("bench");
        string[] agents = ["planner", "worker", "reviewer"];
        var stages = new List<PipelineStage>();
        for (int i = 0; i < agents.Length; i++)
        {
            string agent = agents[i];
            builder
                .AddPrompt(agent, "Step " + (i + 1) + " of 3. The user asked: {user_input}\nAnswer with a JSON object.", system: "{role_description} Session: {session_id}.")
                .AddAgent(new AgentDefinition { Name = agent, Prompt = agent, OutputRetries = 0 });
            stages.Add(i + 1 < agents.Length
                ? new PipelineStage(agent, agent, [RoutingRule.Always(agents[i + 1])])
                : new PipelineStage(agent, agent));
        }

        return builder.AddPipeline(new PipelineConfig { Name = PipelineName, Stages = stages }).Build();
    }
}
