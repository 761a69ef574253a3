using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>The <c>kernel</c> service (ipc.md §6.1), with our semantics where COMPATIBILITY.md differs.</summary>
internal static class KernelMethods
{
    private const string Service = "kernel";

    /// <summary>The quota keys in the order the reference validates them (§6.1 CreateProcess).</summary>
    private static readonly string[] s_quotaKeys =
    [
        "max_llm_calls", "max_tool_calls", "max_agent_hops", "max_iterations", "timeout_seconds", "max_input_tokens",
        "max_output_tokens", "max_context_tokens", "soft_timeout_seconds", "rate_limit_rpm", "rate_limit_rph",
        "rate_limit_burst", "max_inference_requests", "max_inference_input_chars",
    ];

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "CreateProcess", CreateProcessAsync);
        table.Add(Service, "GetProcess", GetProcessAsync);
        table.Add(Service, "ScheduleProcess", ScheduleProcessAsync);
        table.Add(Service, "GetNextRunnable", GetNextRunnableAsync);
        table.Add(Service, "TransitionState", TransitionStateAsync);
        table.Add(Service, "TerminateProcess", TerminateProcessAsync);
        table.Add(Service, "ResumeProcess", ResumeProcessAsync);
        table.Add(Service, "CheckQuota", CheckQuotaAsync);
        table.Add(Service, "RecordUsage", RecordUsageAsync);
        table.Add(Service, "CheckRateLimit", CheckRateLimitAsync);
        table.Add(Service, "ListProcesses", ListProcessesAsync);
        table.Add(Service, "GetProcessCounts", GetProcessCountsAsync);
        table.Add(Service, "SetQuotaDefaults", SetQuotaDefaultsAsync);
        table.Add(Service, "GetQuotaDefaults", GetQuotaDefaultsAsync);
        table.Add(Service, "GetSystemStatus", GetSystemStatusAsync);
    }

    /// <summary>Returns the stored (READY) process; a duplicate pid is ALREADY_EXISTS (COMPATIBILITY.md Q2).</summary>
    private static async ValueTask<IpcReply> CreateProcessAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        SchedulingPriority priority = SchedulingPriority.Normal;
        if (body.OptionalString("priority") is { } text && !WireNames.TryParsePriority(text, out priority))
        {
            throw KernelErrors.Validation("Invalid priority: " + text);
        }

        var options = new CreateProcessOptions
        {
            RequestId = RequestId.TryCreate(body.OptionalString("request_id"), out RequestId r) ? r : null,
            UserId = UserId.TryCreate(body.OptionalString("user_id"), out UserId u) ? u : null,
            SessionId = SessionId.TryCreate(body.OptionalString("session_id"), out SessionId s) ? s : null,
            Priority = priority,
            Quota = body.OptionalObject("quota") is { } quota ? ReadQuota(quota) : null,
        };
        return IpcReply.Process(await client.Kernel.CreateProcessAsync(pid, options, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<IpcReply> GetProcessAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        ProcessInfo process = await client.Kernel.GetProcessAsync(pid, cancellationToken).ConfigureAwait(false)
            ?? throw KernelErrors.ProcessNotFound(pid);
        return IpcReply.Process(process);
    }

    private static async ValueTask<IpcReply> ScheduleProcessAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        return IpcReply.Process(await client.Kernel.ScheduleProcessAsync(pid, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<IpcReply> GetNextRunnableAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessInfo process = await client.Kernel.GetNextRunnableAsync(cancellationToken).ConfigureAwait(false)
            ?? throw KernelErrors.NotFound("No runnable processes");
        return IpcReply.Process(process);
    }

    /// <summary>The full state table (COMPATIBILITY.md Q4): no silent no-ops.</summary>
    private static async ValueTask<IpcReply> TransitionStateAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        string text = body.RequireString("new_state");
        if (!WireNames.TryParseProcessState(text, out ProcessState state))
        {
            throw KernelErrors.Validation("Invalid process state: " + text);
        }

        string reason = body.OptionalString("reason", string.Empty);
        return IpcReply.Process(await client.Kernel.TransitionStateAsync(pid, state, reason, interruptKind: null, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The reason is kept (the reference ignores it).</summary>
    private static async ValueTask<IpcReply> TerminateProcessAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        string? reason = body.OptionalString("reason");
        return IpcReply.Process(await client.Kernel.TerminateProcessAsync(pid, reason, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> ResumeProcessAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        ProcessId pid = IpcFields.RequirePid(body, "pid");
        var update = (JsonObject?)IpcFields.OptionalObject(body, "envelope_update")?.DeepClone();
        return IpcViews.Process(await client.Kernel.ResumeProcessAsync(pid, update, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<IpcReply> CheckQuotaAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        return IpcReply.QuotaCheck(await client.Kernel.CheckQuotaAsync(pid, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Adds usage. Besides the reference's four fields it takes <c>agent_hops</c>, <c>iterations</c> and the inference
    /// counters (COMPATIBILITY.md Q8). An unknown pid is reported before a bad number, as the reference does.
    /// </summary>
    private static async ValueTask<IpcReply> RecordUsageAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken)
    {
        ProcessId pid = body.RequirePid("pid");
        UsageDelta delta;
        try
        {
            delta = new UsageDelta
            {
                LlmCalls = body.OptionalNonNegativeInt32("llm_calls", "llm_calls") ?? 0,
                ToolCalls = body.OptionalNonNegativeInt32("tool_calls", "tool_calls") ?? 0,
                TokensIn = body.OptionalNonNegativeInt64("tokens_in", "tokens_in") ?? 0,
                TokensOut = body.OptionalNonNegativeInt64("tokens_out", "tokens_out") ?? 0,
                AgentHops = body.OptionalNonNegativeInt32("agent_hops", "agent_hops") ?? 0,
                Iterations = body.OptionalNonNegativeInt32("iterations", "iterations") ?? 0,
                InferenceRequests = body.OptionalNonNegativeInt32("inference_requests", "inference_requests") ?? 0,
                InferenceInputChars = body.OptionalNonNegativeInt64("inference_input_chars", "inference_input_chars") ?? 0,
            };
        }
        catch (KernelException)
        {
            if (await client.Kernel.GetProcessAsync(pid, cancellationToken).ConfigureAwait(false) is null)
            {
                throw KernelErrors.ProcessNotFound(pid);
            }

            throw;
        }

        return IpcReply.Usage(await client.Kernel.RecordUsageAsync(pid, delta, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reports the real window, limit and retry time; <c>record: false</c> is a dry run (COMPATIBILITY.md Q9).</summary>
    private static async ValueTask<JsonNode> CheckRateLimitAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string user = IpcFields.RequireString(body, "user_id");
        if (user.Length == 0)
        {
            throw KernelErrors.Validation("user_id is required");
        }

        bool record = IpcFields.OptionalBool(body, "record", defaultValue: true);
        return IpcViews.RateLimit(await client.Kernel.CheckRateLimitAsync(new UserId(user), record, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>An unknown state filter gives an empty list, as in the reference.</summary>
    private static async ValueTask<JsonNode> ListProcessesAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        ProcessState? state = null;
        if (IpcFields.OptionalString(body, "state") is { Length: > 0 } text)
        {
            if (!WireNames.TryParseProcessState(text, out ProcessState parsed))
            {
                return new JsonObject { ["processes"] = new JsonArray() };
            }

            state = parsed;
        }

        UserId? user = UserId.TryCreate(IpcFields.OptionalString(body, "user_id"), out UserId u) ? u : null;
        IReadOnlyList<ProcessInfo> processes = await client.Kernel.ListProcessesAsync(state, user, cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (ProcessInfo process in processes)
        {
            list.Add((JsonNode)IpcViews.Process(process));
        }

        return new JsonObject { ["processes"] = list };
    }

    private static async ValueTask<JsonNode> GetProcessCountsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken) =>
        IpcViews.ProcessCounts(await client.Kernel.GetProcessCountsAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Fields left out, or 0, are unchanged; a negative one is refused and nothing changes (COMPATIBILITY.md Q7).</summary>
    private static async ValueTask<JsonNode> SetQuotaDefaultsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        JsonObject quota = IpcFields.OptionalObject(body, "quota") ?? [];
        int?[] v = ReadQuotaFields(quota);
        var update = new QuotaUpdate
        {
            MaxLlmCalls = v[0],
            MaxToolCalls = v[1],
            MaxAgentHops = v[2],
            MaxIterations = v[3],
            TimeoutSeconds = v[4],
            MaxInputTokens = v[5],
            MaxOutputTokens = v[6],
            MaxContextTokens = v[7],
            SoftTimeoutSeconds = v[8],
            RateLimitRpm = v[9],
            RateLimitRph = v[10],
            RateLimitBurst = v[11],
            MaxInferenceRequests = v[12],
            MaxInferenceInputChars = v[13],
        };
        return IpcViews.Quota(await client.Kernel.SetQuotaDefaultsAsync(update, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> GetQuotaDefaultsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken) =>
        IpcViews.Quota(await client.Kernel.GetQuotaDefaultsAsync(cancellationToken).ConfigureAwait(false));

    private static async ValueTask<IpcReply> GetSystemStatusAsync(IKernelClient client, IpcBody body, CancellationToken cancellationToken) =>
        IpcReply.SystemStatus(await client.Kernel.GetSystemStatusAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>A process quota: keys left out take the factory values (ipc.md §6.1), not the current defaults.</summary>
    private static ResourceQuota ReadQuota(JsonObject quota)
    {
        int?[] v = ReadQuotaFields(quota);
        ResourceQuota f = ResourceQuota.Default;
        return new ResourceQuota
        {
            MaxLlmCalls = v[0] ?? f.MaxLlmCalls,
            MaxToolCalls = v[1] ?? f.MaxToolCalls,
            MaxAgentHops = v[2] ?? f.MaxAgentHops,
            MaxIterations = v[3] ?? f.MaxIterations,
            TimeoutSeconds = v[4] ?? f.TimeoutSeconds,
            MaxInputTokens = v[5] ?? f.MaxInputTokens,
            MaxOutputTokens = v[6] ?? f.MaxOutputTokens,
            MaxContextTokens = v[7] ?? f.MaxContextTokens,
            SoftTimeoutSeconds = v[8] ?? f.SoftTimeoutSeconds,
            RateLimitRpm = v[9] ?? f.RateLimitRpm,
            RateLimitRph = v[10] ?? f.RateLimitRph,
            RateLimitBurst = v[11] ?? f.RateLimitBurst,
            MaxInferenceRequests = v[12] ?? f.MaxInferenceRequests,
            MaxInferenceInputChars = v[13] ?? f.MaxInferenceInputChars,
        };
    }

    /// <summary>The 14 quota fields in validation order; <see langword="null"/> where absent or not an integer.</summary>
    private static int?[] ReadQuotaFields(JsonObject quota)
    {
        var values = new int?[s_quotaKeys.Length];
        for (int i = 0; i < s_quotaKeys.Length; i++)
        {
            values[i] = IpcFields.OptionalNonNegativeInt32(quota, s_quotaKeys[i], s_quotaKeys[i]);
        }

        return values;
    }
}
