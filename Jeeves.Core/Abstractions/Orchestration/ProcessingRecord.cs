namespace Jeeves;

/// <summary>
/// Represents one agent run in an envelope's history.
/// </summary>
public sealed record ProcessingRecord
{
    /// <summary>Gets the agent (<c>agent</c>).</summary>
    public required string Agent { get; init; }

    /// <summary>Gets the position of the stage in the stage order, from 0 (<c>stage_order</c>).</summary>
    public int StageOrder { get; init; }

    /// <summary>Gets when the run started (<c>started_at</c>).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the run ended (<c>completed_at</c>).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets how long it took, in milliseconds (<c>duration_ms</c>).</summary>
    public int DurationMs { get; init; }

    /// <summary>Gets the outcome (<c>status</c>).</summary>
    public ProcessingStatus Status { get; init; }

    /// <summary>Gets the error, when it failed (<c>error</c>).</summary>
    public string? Error { get; init; }

    /// <summary>Gets the LLM calls it made (<c>llm_calls</c>).</summary>
    public int LlmCalls { get; init; }
}
