namespace Jeeves;

/// <summary>
/// Represents the budget of one process. Every field is a non-negative 32-bit limit; usage equal to a limit is
/// allowed, one unit more is a violation, so a limit of 0 forbids the resource.
/// </summary>
/// <remarks>
/// Instances are immutable and can be shared between processes. The wire names are the snake_case names given on
/// each property.
/// </remarks>
public sealed record ResourceQuota
{
    /// <summary>Gets the factory defaults.</summary>
    public static ResourceQuota Default { get; } = new();

    /// <summary>Gets the maximum input tokens (<c>max_input_tokens</c>).</summary>
    /// <value>The default value is 100 000.</value>
    public int MaxInputTokens { get; init; } = 100_000;

    /// <summary>Gets the maximum output tokens (<c>max_output_tokens</c>).</summary>
    /// <value>The default value is 50 000.</value>
    public int MaxOutputTokens { get; init; } = 50_000;

    /// <summary>Gets the maximum context tokens (<c>max_context_tokens</c>); informational, not enforced by quota checks.</summary>
    /// <value>The default value is 150 000.</value>
    public int MaxContextTokens { get; init; } = 150_000;

    /// <summary>Gets the maximum LLM calls (<c>max_llm_calls</c>).</summary>
    /// <value>The default value is 100.</value>
    public int MaxLlmCalls { get; init; } = 100;

    /// <summary>Gets the maximum tool calls (<c>max_tool_calls</c>).</summary>
    /// <value>The default value is 50.</value>
    public int MaxToolCalls { get; init; } = 50;

    /// <summary>Gets the maximum agent hops (<c>max_agent_hops</c>).</summary>
    /// <value>The default value is 10.</value>
    public int MaxAgentHops { get; init; } = 10;

    /// <summary>Gets the maximum iterations (<c>max_iterations</c>).</summary>
    /// <value>The default value is 20.</value>
    public int MaxIterations { get; init; } = 20;

    /// <summary>Gets the wall-clock budget in seconds, counted from the first start (<c>timeout_seconds</c>).</summary>
    /// <value>The default value is 300.</value>
    public int TimeoutSeconds { get; init; } = 300;

    /// <summary>Gets the soft timeout in seconds (<c>soft_timeout_seconds</c>); informational.</summary>
    /// <value>The default value is 240.</value>
    public int SoftTimeoutSeconds { get; init; } = 240;

    /// <summary>Gets the requests per minute (<c>rate_limit_rpm</c>); informational, the kernel's limiter is configured by <see cref="RateLimitOptions"/>.</summary>
    /// <value>The default value is 60.</value>
    public int RateLimitRpm { get; init; } = 60;

    /// <summary>Gets the requests per hour (<c>rate_limit_rph</c>); informational.</summary>
    /// <value>The default value is 1000.</value>
    public int RateLimitRph { get; init; } = 1000;

    /// <summary>Gets the burst size (<c>rate_limit_burst</c>); informational.</summary>
    /// <value>The default value is 10.</value>
    public int RateLimitBurst { get; init; } = 10;

    /// <summary>Gets the maximum inference requests (<c>max_inference_requests</c>).</summary>
    /// <value>The default value is 50.</value>
    public int MaxInferenceRequests { get; init; } = 50;

    /// <summary>Gets the maximum inference input characters (<c>max_inference_input_chars</c>).</summary>
    /// <value>The default value is 500 000.</value>
    public int MaxInferenceInputChars { get; init; } = 500_000;
}
