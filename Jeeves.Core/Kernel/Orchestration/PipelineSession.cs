namespace Jeeves.Kernel.Orchestration;

/// <summary>The orchestrator's record of one process's run: its pipeline, envelope, edge counters and end.</summary>
internal sealed class PipelineSession(ProcessId pid, CompiledPipeline pipeline, Envelope envelope, DateTimeOffset now)
{
    public ProcessId Pid { get; } = pid;

    public CompiledPipeline Pipeline { get; } = pipeline;

    public Envelope Envelope { get; set; } = envelope;

    public Dictionary<string, int> EdgeTraversals { get; set; } = new(StringComparer.Ordinal);

    public bool Terminated { get; set; }

    public TerminalReason? TerminalReason { get; set; }

    public DateTimeOffset CreatedAt { get; } = now;

    public DateTimeOffset LastActivityAt { get; set; } = now;

    /// <summary>The stage the run continues from once its pending interrupt is resolved.</summary>
    public string? ResumeStage { get; set; }
}
