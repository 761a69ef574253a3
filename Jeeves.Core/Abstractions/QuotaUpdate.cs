namespace Jeeves;

/// <summary>
/// Represents a change to the kernel's default quota. A field that is <see langword="null"/> or 0 leaves the
/// current default unchanged; a positive field replaces it; a negative field is refused.
/// </summary>
/// <remarks>0 means "no change" so that the wire form, where absent and 0 are the same, means the same thing.</remarks>
public sealed record QuotaUpdate
{
    /// <summary>Gets the new <c>max_input_tokens</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxInputTokens { get; init; }

    /// <summary>Gets the new <c>max_output_tokens</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the new <c>max_context_tokens</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxContextTokens { get; init; }

    /// <summary>Gets the new <c>max_llm_calls</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxLlmCalls { get; init; }

    /// <summary>Gets the new <c>max_tool_calls</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxToolCalls { get; init; }

    /// <summary>Gets the new <c>max_agent_hops</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxAgentHops { get; init; }

    /// <summary>Gets the new <c>max_iterations</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxIterations { get; init; }

    /// <summary>Gets the new <c>timeout_seconds</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>Gets the new <c>soft_timeout_seconds</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? SoftTimeoutSeconds { get; init; }

    /// <summary>Gets the new <c>rate_limit_rpm</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? RateLimitRpm { get; init; }

    /// <summary>Gets the new <c>rate_limit_rph</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? RateLimitRph { get; init; }

    /// <summary>Gets the new <c>rate_limit_burst</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? RateLimitBurst { get; init; }

    /// <summary>Gets the new <c>max_inference_requests</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxInferenceRequests { get; init; }

    /// <summary>Gets the new <c>max_inference_input_chars</c>, or <see langword="null"/> to keep the current one.</summary>
    public int? MaxInferenceInputChars { get; init; }
}
