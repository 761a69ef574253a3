using System.Globalization;

namespace Jeeves.Kernel;

/// <summary>
/// Quota validation, the quota check of the reference (§5.3), the default-quota merge (§5.4) and checked usage
/// arithmetic.
/// </summary>
internal static class QuotaRules
{
    /// <summary>The quota fields in the order the reference validates them.</summary>
    private static readonly (string Name, Func<ResourceQuota, int> Get)[] s_fields =
    [
        ("max_llm_calls", static q => q.MaxLlmCalls),
        ("max_tool_calls", static q => q.MaxToolCalls),
        ("max_agent_hops", static q => q.MaxAgentHops),
        ("max_iterations", static q => q.MaxIterations),
        ("timeout_seconds", static q => q.TimeoutSeconds),
        ("max_input_tokens", static q => q.MaxInputTokens),
        ("max_output_tokens", static q => q.MaxOutputTokens),
        ("max_context_tokens", static q => q.MaxContextTokens),
        ("soft_timeout_seconds", static q => q.SoftTimeoutSeconds),
        ("rate_limit_rpm", static q => q.RateLimitRpm),
        ("rate_limit_rph", static q => q.RateLimitRph),
        ("rate_limit_burst", static q => q.RateLimitBurst),
        ("max_inference_requests", static q => q.MaxInferenceRequests),
        ("max_inference_input_chars", static q => q.MaxInferenceInputChars),
    ];

    /// <exception cref="KernelException">A field is negative.</exception>
    public static void Validate(ResourceQuota quota)
    {
        foreach ((string name, Func<ResourceQuota, int> get) in s_fields)
        {
            RequireNonNegative(name, get(quota));
        }
    }

    /// <summary>Applies the positive fields of <paramref name="update"/>; validates everything before changing anything.</summary>
    public static ResourceQuota Merge(ResourceQuota current, QuotaUpdate update)
    {
        var asQuota = new ResourceQuota
        {
            MaxLlmCalls = update.MaxLlmCalls ?? 0,
            MaxToolCalls = update.MaxToolCalls ?? 0,
            MaxAgentHops = update.MaxAgentHops ?? 0,
            MaxIterations = update.MaxIterations ?? 0,
            TimeoutSeconds = update.TimeoutSeconds ?? 0,
            MaxInputTokens = update.MaxInputTokens ?? 0,
            MaxOutputTokens = update.MaxOutputTokens ?? 0,
            MaxContextTokens = update.MaxContextTokens ?? 0,
            SoftTimeoutSeconds = update.SoftTimeoutSeconds ?? 0,
            RateLimitRpm = update.RateLimitRpm ?? 0,
            RateLimitRph = update.RateLimitRph ?? 0,
            RateLimitBurst = update.RateLimitBurst ?? 0,
            MaxInferenceRequests = update.MaxInferenceRequests ?? 0,
            MaxInferenceInputChars = update.MaxInferenceInputChars ?? 0,
        };
        Validate(asQuota);

        return current with
        {
            MaxLlmCalls = Pick(asQuota.MaxLlmCalls, current.MaxLlmCalls),
            MaxToolCalls = Pick(asQuota.MaxToolCalls, current.MaxToolCalls),
            MaxAgentHops = Pick(asQuota.MaxAgentHops, current.MaxAgentHops),
            MaxIterations = Pick(asQuota.MaxIterations, current.MaxIterations),
            TimeoutSeconds = Pick(asQuota.TimeoutSeconds, current.TimeoutSeconds),
            MaxInputTokens = Pick(asQuota.MaxInputTokens, current.MaxInputTokens),
            MaxOutputTokens = Pick(asQuota.MaxOutputTokens, current.MaxOutputTokens),
            MaxContextTokens = Pick(asQuota.MaxContextTokens, current.MaxContextTokens),
            SoftTimeoutSeconds = Pick(asQuota.SoftTimeoutSeconds, current.SoftTimeoutSeconds),
            RateLimitRpm = Pick(asQuota.RateLimitRpm, current.RateLimitRpm),
            RateLimitRph = Pick(asQuota.RateLimitRph, current.RateLimitRph),
            RateLimitBurst = Pick(asQuota.RateLimitBurst, current.RateLimitBurst),
            MaxInferenceRequests = Pick(asQuota.MaxInferenceRequests, current.MaxInferenceRequests),
            MaxInferenceInputChars = Pick(asQuota.MaxInferenceInputChars, current.MaxInferenceInputChars),
        };

        static int Pick(int update, int current) => update > 0 ? update : current;
    }

    /// <summary>Checks usage against the quota; the first violation in the fixed order wins, and equal to the limit is allowed.</summary>
    /// <remarks>A process that has started and not completed is timed live, from its first start.</remarks>
    public static QuotaCheckResult Check(ProcessInfo process, DateTimeOffset now)
    {
        ResourceUsage u = process.Usage;
        ResourceQuota q = process.Quota;
        double elapsed = process.StartedAt is { } started && process.CompletedAt is null
            ? Math.Floor((now - started).TotalMilliseconds) / 1000.0
            : u.ElapsedSeconds;

        (QuotaViolation kind, string text) = true switch
        {
            _ when u.LlmCalls > q.MaxLlmCalls => (QuotaViolation.LlmCalls, Text("llm_calls", u.LlmCalls, q.MaxLlmCalls)),
            _ when u.ToolCalls > q.MaxToolCalls => (QuotaViolation.ToolCalls, Text("tool_calls", u.ToolCalls, q.MaxToolCalls)),
            _ when u.AgentHops > q.MaxAgentHops => (QuotaViolation.AgentHops, Text("agent_hops", u.AgentHops, q.MaxAgentHops)),
            _ when u.Iterations > q.MaxIterations => (QuotaViolation.Iterations, Text("iterations", u.Iterations, q.MaxIterations)),
            _ when u.TokensIn > q.MaxInputTokens => (QuotaViolation.TokensIn, Text("tokens_in", u.TokensIn, q.MaxInputTokens)),
            _ when u.TokensOut > q.MaxOutputTokens => (QuotaViolation.TokensOut, Text("tokens_out", u.TokensOut, q.MaxOutputTokens)),
            _ when elapsed > q.TimeoutSeconds => (QuotaViolation.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"elapsed_seconds {elapsed:R} > {q.TimeoutSeconds}")),
            _ when u.InferenceRequests > q.MaxInferenceRequests =>
                (QuotaViolation.InferenceRequests, Text("inference_requests", u.InferenceRequests, q.MaxInferenceRequests)),
            _ when u.InferenceInputChars > q.MaxInferenceInputChars =>
                (QuotaViolation.InferenceInputChars, Text("inference_input_chars", u.InferenceInputChars, q.MaxInferenceInputChars)),
            _ => (QuotaViolation.None, string.Empty),
        };

        string reason = kind == QuotaViolation.None ? string.Empty : $"quota exceeded: Process {process.Pid} quota exceeded: {text}";
        return new QuotaCheckResult(kind, reason, u);

        static string Text(string name, long used, int limit) =>
            string.Create(CultureInfo.InvariantCulture, $"{name} {used} > {limit}");
    }

    /// <exception cref="KernelException">A field is negative.</exception>
    public static void Validate(UsageDelta delta)
    {
        RequireNonNegative("llm_calls", delta.LlmCalls);
        RequireNonNegative("tool_calls", delta.ToolCalls);
        RequireNonNegative("agent_hops", delta.AgentHops);
        RequireNonNegative("iterations", delta.Iterations);
        RequireNonNegative("tokens_in", delta.TokensIn);
        RequireNonNegative("tokens_out", delta.TokensOut);
        RequireNonNegative("inference_requests", delta.InferenceRequests);
        RequireNonNegative("inference_input_chars", delta.InferenceInputChars);
    }

    /// <summary>Adds a validated delta with overflow checks.</summary>
    /// <exception cref="KernelException">A total would overflow (<see cref="KernelErrorCode.InvalidArgument"/>).</exception>
    public static ResourceUsage Add(ResourceUsage usage, UsageDelta d) => new()
    {
        LlmCalls = Sum("llm_calls", usage.LlmCalls, d.LlmCalls),
        ToolCalls = Sum("tool_calls", usage.ToolCalls, d.ToolCalls),
        AgentHops = Sum("agent_hops", usage.AgentHops, d.AgentHops),
        Iterations = Sum("iterations", usage.Iterations, d.Iterations),
        TokensIn = Sum("tokens_in", usage.TokensIn, d.TokensIn),
        TokensOut = Sum("tokens_out", usage.TokensOut, d.TokensOut),
        ElapsedSeconds = usage.ElapsedSeconds,
        InferenceRequests = Sum("inference_requests", usage.InferenceRequests, d.InferenceRequests),
        InferenceInputChars = Sum("inference_input_chars", usage.InferenceInputChars, d.InferenceInputChars),
    };

    private static int Sum(string field, int a, int b)
    {
        int sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0 ? throw Overflow(field) : sum;
    }

    private static long Sum(string field, long a, long b)
    {
        long sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0 ? throw Overflow(field) : sum;
    }

    private static KernelException Overflow(string field) => KernelErrors.Validation($"{field} total would overflow");

    private static void RequireNonNegative(string field, long value)
    {
        if (value < 0)
        {
            throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"{field} must be non-negative, got {value}"));
        }
    }
}
