namespace Jeeves;

/// <summary>
/// Represents what one agent run consumed. Every figure must be non-negative.
/// </summary>
public sealed record AgentExecutionMetrics
{
    /// <summary>Gets the LLM calls made (<c>llm_calls</c>).</summary>
    public int LlmCalls { get; init; }

    /// <summary>Gets the tool calls made (<c>tool_calls</c>).</summary>
    public int ToolCalls { get; init; }

    /// <summary>Gets the input tokens, or <see langword="null"/> when unknown (<c>tokens_in</c>).</summary>
    public long? TokensIn { get; init; }

    /// <summary>Gets the output tokens, or <see langword="null"/> when unknown (<c>tokens_out</c>).</summary>
    public long? TokensOut { get; init; }

    /// <summary>Gets how long the run took (<c>duration_ms</c>).</summary>
    public TimeSpan Duration { get; init; }
}
