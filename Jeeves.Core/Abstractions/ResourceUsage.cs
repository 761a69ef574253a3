namespace Jeeves;

/// <summary>
/// Represents what a process has consumed so far.
/// </summary>
public readonly record struct ResourceUsage
{
    /// <summary>Gets the LLM calls made (<c>llm_calls</c>).</summary>
    public int LlmCalls { get; init; }

    /// <summary>Gets the tool calls made (<c>tool_calls</c>).</summary>
    public int ToolCalls { get; init; }

    /// <summary>Gets the agent runs (<c>agent_hops</c>).</summary>
    public int AgentHops { get; init; }

    /// <summary>Gets the loop passes (<c>iterations</c>).</summary>
    public int Iterations { get; init; }

    /// <summary>Gets the input tokens consumed (<c>tokens_in</c>).</summary>
    public long TokensIn { get; init; }

    /// <summary>Gets the output tokens produced (<c>tokens_out</c>).</summary>
    public long TokensOut { get; init; }

    /// <summary>Gets the wall-clock seconds from first start to completion; 0 until the process completes (<c>elapsed_seconds</c>).</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>Gets the inference requests made (<c>inference_requests</c>).</summary>
    public int InferenceRequests { get; init; }

    /// <summary>Gets the inference input characters sent (<c>inference_input_chars</c>).</summary>
    public long InferenceInputChars { get; init; }
}
