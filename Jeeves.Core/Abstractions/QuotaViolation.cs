namespace Jeeves;

/// <summary>
/// Specifies which process quota a usage figure exceeds, in the fixed order the kernel checks them.
/// </summary>
public enum QuotaViolation
{
    /// <summary>Every counter is within its limit.</summary>
    None,

    /// <summary><c>llm_calls</c> exceeds <c>max_llm_calls</c>.</summary>
    LlmCalls,

    /// <summary><c>tool_calls</c> exceeds <c>max_tool_calls</c>.</summary>
    ToolCalls,

    /// <summary><c>agent_hops</c> exceeds <c>max_agent_hops</c>.</summary>
    AgentHops,

    /// <summary><c>iterations</c> exceeds <c>max_iterations</c>.</summary>
    Iterations,

    /// <summary><c>tokens_in</c> exceeds <c>max_input_tokens</c>.</summary>
    TokensIn,

    /// <summary><c>tokens_out</c> exceeds <c>max_output_tokens</c>.</summary>
    TokensOut,

    /// <summary>The elapsed wall-clock time exceeds <c>timeout_seconds</c>.</summary>
    Timeout,

    /// <summary><c>inference_requests</c> exceeds <c>max_inference_requests</c>.</summary>
    InferenceRequests,

    /// <summary><c>inference_input_chars</c> exceeds <c>max_inference_input_chars</c>.</summary>
    InferenceInputChars,
}
