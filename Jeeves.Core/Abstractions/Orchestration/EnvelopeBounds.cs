namespace Jeeves;

/// <summary>
/// Represents a run's budget counters and whether it ended.
/// </summary>
public sealed record EnvelopeBounds
{
    /// <summary>Gets the shared default instance (records are immutable, so one instance serves every envelope).</summary>
    internal static EnvelopeBounds Default { get; } = new();

    /// <summary>Gets the LLM calls reported (<c>llm_call_count</c>).</summary>
    public int LlmCallCount { get; init; }

    /// <summary>Gets the LLM call budget, set when a session starts (<c>max_llm_calls</c>).</summary>
    /// <value>The default value is 10.</value>
    public int MaxLlmCalls { get; init; } = 10;

    /// <summary>Gets the tool calls reported (<c>tool_call_count</c>).</summary>
    public int ToolCallCount { get; init; }

    /// <summary>Gets the routing transitions made (<c>agent_hop_count</c>).</summary>
    public int AgentHopCount { get; init; }

    /// <summary>Gets the agent-run budget, set when a session starts (<c>max_agent_hops</c>).</summary>
    /// <value>The default value is 21.</value>
    public int MaxAgentHops { get; init; } = 21;

    /// <summary>Gets the input tokens reported (<c>tokens_in</c>).</summary>
    public long TokensIn { get; init; }

    /// <summary>Gets the output tokens reported (<c>tokens_out</c>).</summary>
    public long TokensOut { get; init; }

    /// <summary>Gets why the run ended (<c>terminal_reason</c>).</summary>
    public TerminalReason? TerminalReason { get; init; }

    /// <summary>Gets a value indicating whether the run ended (<c>terminated</c>).</summary>
    public bool Terminated { get; init; }

    /// <summary>Gets a free-text explanation of the end (<c>termination_reason</c>).</summary>
    public string? TerminationReason { get; init; }
}
