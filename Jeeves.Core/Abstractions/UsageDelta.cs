namespace Jeeves;

/// <summary>
/// Represents usage to add to a process and to its user's totals. Every field must be non-negative.
/// </summary>
public readonly record struct UsageDelta
{
    /// <summary>Gets the LLM calls to add (<c>llm_calls</c>).</summary>
    public int LlmCalls { get; init; }

    /// <summary>Gets the tool calls to add (<c>tool_calls</c>).</summary>
    public int ToolCalls { get; init; }

    /// <summary>Gets the agent hops to add (<c>agent_hops</c>).</summary>
    public int AgentHops { get; init; }

    /// <summary>Gets the iterations to add (<c>iterations</c>).</summary>
    public int Iterations { get; init; }

    /// <summary>Gets the input tokens to add (<c>tokens_in</c>).</summary>
    public long TokensIn { get; init; }

    /// <summary>Gets the output tokens to add (<c>tokens_out</c>).</summary>
    public long TokensOut { get; init; }

    /// <summary>Gets the inference requests to add (<c>inference_requests</c>).</summary>
    public int InferenceRequests { get; init; }

    /// <summary>Gets the inference input characters to add (<c>inference_input_chars</c>).</summary>
    public long InferenceInputChars { get; init; }
}
