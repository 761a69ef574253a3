using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Jeeves.Runtime;

/// <summary>Writes a run's events somewhere: nowhere for <see cref="PipelineRunner.RunAsync"/>, a channel for a stream.</summary>
internal interface IRunEventSink
{
    bool IsEnabled { get; }

    ValueTask WriteAsync(RunEvent runEvent, CancellationToken cancellationToken);
}

internal sealed class NullRunEventSink : IRunEventSink
{
    public static readonly NullRunEventSink Instance = new();

    public bool IsEnabled => false;

    public ValueTask WriteAsync(RunEvent runEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Everything one run carries from agent to agent. Used by one run loop at a time.</summary>
internal sealed class RunState : IDisposable
{
    private readonly TimeSpan _toolTimeout;
    private ToolInvoker? _tools;
    private int _agentRuns;
    private int _llmCalls;
    private int _toolCalls;
    private long _tokensIn;
    private long _tokensOut;
    private decimal _costUsd;

    public RunState(
        IKernelClient kernel,
        CapabilityDefinition capability,
        PipelineConfig pipeline,
        ProcessId processId,
        JsonObject state,
        TimeSpan toolTimeout,
        IRunEventSink events,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        Kernel = kernel;
        Capability = capability;
        Pipeline = pipeline;
        ProcessId = processId;
        State = state;
        _toolTimeout = toolTimeout;
        Events = events;
        TimeProvider = timeProvider;
        Logger = logger;
        Steps = new StepCancellation(timeProvider, cancellationToken);
    }

    public IKernelClient Kernel { get; }

    public CapabilityDefinition Capability { get; }

    public PipelineConfig Pipeline { get; }

    public ProcessId ProcessId { get; }

    public JsonObject State { get; }

    public Dictionary<string, JsonObject> Outputs { get; } = new(StringComparer.Ordinal);

    public KernelInterrupt? LastInterrupt { get; set; }

    /// <summary>Gets the governed tool path, made on the run's first tool call.</summary>
    public ToolInvoker Tools => _tools ??= new ToolInvoker(Kernel, Capability, _toolTimeout, TimeProvider, Logger);

    public IRunEventSink Events { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the cancellation of the agent step that is running (the caller's token or the step's timeout).</summary>
    public StepCancellation Steps { get; }

    public ResourceQuota Quota { get; set; } = ResourceQuota.Default;

    public ResourceUsage? UsageAtStart { get; set; }

    /// <summary>Gets what the run's agents used so far.</summary>
    public RunUsage Usage => new()
    {
        AgentRuns = _agentRuns,
        LlmCalls = _llmCalls,
        ToolCalls = _toolCalls,
        TokensIn = _tokensIn,
        TokensOut = _tokensOut,
        CostUsd = _costUsd,
    };

    /// <summary>Gets the LLM calls the run's agents made so far.</summary>
    public int LlmCalls => _llmCalls;

    /// <summary>Gets the input tokens the run's agents used so far.</summary>
    public long TokensIn => _tokensIn;

    /// <summary>Gets the output tokens the run's agents used so far.</summary>
    public long TokensOut => _tokensOut;

    public JsonObject? LastOutput { get; set; }

    public string? LastOutputAgent { get; set; }

    public DateTimeOffset Now => TimeProvider.GetUtcNow();

    /// <summary>Adds one agent run's usage (the sum <see cref="RunUsage.Add"/> makes, without a record per agent).</summary>
    public void AddUsage(AgentExecutionMetrics metrics, decimal costUsd)
    {
        _agentRuns++;
        _llmCalls += metrics.LlmCalls;
        _toolCalls += metrics.ToolCalls;
        _tokensIn += metrics.TokensIn ?? 0;
        _tokensOut += metrics.TokensOut ?? 0;
        _costUsd += costUsd;
    }

    public void Dispose() => Steps.Dispose();

    public ValueTask EmitAsync(RunEvent runEvent, CancellationToken cancellationToken) =>
        Events.IsEnabled ? Events.WriteAsync(runEvent, cancellationToken) : ValueTask.CompletedTask;
}
