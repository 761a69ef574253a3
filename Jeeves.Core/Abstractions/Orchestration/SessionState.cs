namespace Jeeves;

/// <summary>
/// Represents an orchestration session: where a process's run stands.
/// </summary>
public sealed record SessionState
{
    /// <summary>Gets the process the session belongs to (<c>process_id</c>).</summary>
    public required ProcessId ProcessId { get; init; }

    /// <summary>Gets the stage that runs next, or ran last once terminated (<c>current_stage</c>).</summary>
    public required string CurrentStage { get; init; }

    /// <summary>Gets the stage names in declaration order (<c>stage_order</c>).</summary>
    public required IReadOnlyList<string> StageOrder { get; init; }

    /// <summary>Gets a snapshot of the envelope (<c>envelope</c>).</summary>
    public required Envelope Envelope { get; init; }

    /// <summary>Gets how often each edge was taken, keyed <c>from-&gt;to</c> (<c>edge_traversals</c>).</summary>
    public required IReadOnlyDictionary<string, int> EdgeTraversals { get; init; }

    /// <summary>Gets a value indicating whether the run is over (<c>terminated</c>).</summary>
    public bool Terminated { get; init; }

    /// <summary>Gets why the run ended, once it has (<c>terminal_reason</c>).</summary>
    public TerminalReason? TerminalReason { get; init; }
}
