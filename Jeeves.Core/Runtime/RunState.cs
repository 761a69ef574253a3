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
    public RunState(
        IKernelClient kernel,
        CapabilityDefinition capability,
        PipelineConfig pipeline,
        ProcessId processId,
        JsonObject state,
        ToolInvoker tools,
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
        Tools = tools;
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

    public ToolInvoker Tools { get; }

    public IRunEventSink Events { get; }

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>Gets the cancellation of the agent step that is running (the caller's token or the step's timeout).</summary>
    public StepCancellation Steps { get; }

    public ResourceQuota Quota { get; set; } = ResourceQuota.Default;

    public ResourceUsage? UsageAtStart { get; set; }

    public RunUsage Usage { get; set; } = new();

    public JsonObject? LastOutput { get; set; }

    public string? LastOutputAgent { get; set; }

    public DateTimeOffset Now => TimeProvider.GetUtcNow();

    public void Dispose() => Steps.Dispose();

    public ValueTask EmitAsync(RunEvent runEvent, CancellationToken cancellationToken) =>
        Events.IsEnabled ? Events.WriteAsync(runEvent, cancellationToken) : ValueTask.CompletedTask;
}
