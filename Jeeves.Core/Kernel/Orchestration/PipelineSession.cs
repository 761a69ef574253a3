using System.Collections.ObjectModel;

namespace Jeeves.Kernel.Orchestration;

/// <summary>The orchestrator's record of one process's run: its pipeline, envelope, edge counters and end.</summary>
internal sealed class PipelineSession(ProcessId pid, CompiledPipeline pipeline, Envelope envelope, DateTimeOffset now)
{
    /// <summary>Traversals per edge of <see cref="Pipeline"/>, by edge index; made at the first traversal.</summary>
    private int[]? _edgeTraversals;

    public ProcessId Pid { get; } = pid;

    public CompiledPipeline Pipeline { get; } = pipeline;

    public Envelope Envelope
    {
        get;
        set
        {
            field = value;
            NextInstruction = null;
        }
    } = envelope;

    public bool Terminated
    {
        get;
        set
        {
            field = value;
            NextInstruction = null;
        }
    }

    public TerminalReason? TerminalReason
    {
        get;
        set
        {
            field = value;
            NextInstruction = null;
        }
    }

    /// <summary>
    /// Gets or sets the instruction <see cref="Orchestrator.Next"/> made for the session as it is; a change to anything it
    /// reads (the envelope, the ending) clears it, so asking again without a change hands out the same instance.
    /// </summary>
    public Instruction? NextInstruction { get; set; }

    public DateTimeOffset LastActivityAt { get; set; } = now;

    /// <summary>The stage the run continues from once its pending interrupt is resolved.</summary>
    public string? ResumeStage { get; set; }

    /// <summary>Gets how many times the run took an edge.</summary>
    public int Traversals(int edge) => _edgeTraversals?[edge] ?? 0;

    public void CountTraversal(int edge) => (_edgeTraversals ??= new int[Pipeline.EdgeCount])[edge]++;

    /// <summary>Copies the traversal counters of the edges taken, keyed <c>from-&gt;to</c>, in the pipeline's edge order.</summary>
    public IReadOnlyDictionary<string, int> CopyEdgeTraversals()
    {
        if (_edgeTraversals is not { } counts)
        {
            return ReadOnlyDictionary<string, int>.Empty;
        }

        var copy = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int edge = 0; edge < counts.Length; edge++)
        {
            if (counts[edge] > 0)
            {
                copy.Add(Pipeline.EdgeKey(edge), counts[edge]);
            }
        }

        return copy;
    }
}
