using System.Text;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// Writes the hot views of <see cref="IpcViews"/> straight to a <see cref="MessagePackWriter"/>, keys in UTF-8 order and
/// values in the forms <see cref="WireValue"/> picks, so the bytes equal those of the node-built view (the tests
/// compare them). A key added to a view here must be added to its <see cref="IpcViews"/> twin too.
/// </summary>
internal static class IpcReplyWriter
{
    private static readonly ProcessState[] s_statesByName =
    [
        ProcessState.Blocked, ProcessState.New, ProcessState.Ready, ProcessState.Running,
        ProcessState.Terminated, ProcessState.Waiting, ProcessState.Zombie,
    ];

    private static readonly byte[][] s_stateKeys = [.. s_statesByName.Select(static s => Encoding.UTF8.GetBytes(WireNames.ToWire(s)))];

    /// <summary>The process view of <see cref="IpcViews.Process"/>.</summary>
    public static void Process(ref MessagePackWriter writer, ProcessInfo p)
    {
        int count = 10 + (p.CompletedAt is null ? 0 : 1) + (p.LastScheduledAt is null ? 0 : 1) + (p.StartedAt is null ? 0 : 1);
        writer.WriteMapHeader(count);
        if (p.CompletedAt is { } completed)
        {
            writer.WriteString("completed_at"u8);
            Time(ref writer, completed);
        }

        writer.WriteString("created_at"u8);
        Time(ref writer, p.CreatedAt);
        writer.WriteString("current_stage"u8);
        writer.Write(string.Empty);
        if (p.LastScheduledAt is { } scheduled)
        {
            writer.WriteString("last_scheduled_at"u8);
            Time(ref writer, scheduled);
        }

        writer.WriteString("pid"u8);
        writer.Write(p.Pid.Value);
        writer.WriteString("priority"u8);
        writer.Write(WireNames.ToWire(p.Priority));
        writer.WriteString("quota"u8);
        Quota(ref writer, p.Quota);
        writer.WriteString("request_id"u8);
        writer.Write(p.RequestId.Value);
        writer.WriteString("session_id"u8);
        writer.Write(p.SessionId.Value);
        if (p.StartedAt is { } started)
        {
            writer.WriteString("started_at"u8);
            Time(ref writer, started);
        }

        writer.WriteString("state"u8);
        writer.Write(WireNames.ToWire(p.State));
        writer.WriteString("usage"u8);
        Usage(ref writer, p.Usage);
        writer.WriteString("user_id"u8);
        writer.Write(p.UserId.Value);
    }

    /// <summary>The usage map of <see cref="IpcViews.Usage"/>.</summary>
    public static void Usage(ref MessagePackWriter writer, ResourceUsage u)
    {
        writer.WriteMapHeader(5);
        writer.WriteString("agent_hops"u8);
        writer.Write(u.AgentHops);
        writer.WriteString("llm_calls"u8);
        writer.Write(u.LlmCalls);
        writer.WriteString("tokens_in"u8);
        writer.Write(u.TokensIn);
        writer.WriteString("tokens_out"u8);
        writer.Write(u.TokensOut);
        writer.WriteString("tool_calls"u8);
        writer.Write(u.ToolCalls);
    }

    /// <summary>The quota map of <see cref="IpcViews.Quota"/>.</summary>
    public static void Quota(ref MessagePackWriter writer, ResourceQuota q)
    {
        writer.WriteMapHeader(14);
        writer.WriteString("max_agent_hops"u8);
        writer.Write(q.MaxAgentHops);
        writer.WriteString("max_context_tokens"u8);
        writer.Write(q.MaxContextTokens);
        writer.WriteString("max_inference_input_chars"u8);
        writer.Write(q.MaxInferenceInputChars);
        writer.WriteString("max_inference_requests"u8);
        writer.Write(q.MaxInferenceRequests);
        writer.WriteString("max_input_tokens"u8);
        writer.Write(q.MaxInputTokens);
        writer.WriteString("max_iterations"u8);
        writer.Write(q.MaxIterations);
        writer.WriteString("max_llm_calls"u8);
        writer.Write(q.MaxLlmCalls);
        writer.WriteString("max_output_tokens"u8);
        writer.Write(q.MaxOutputTokens);
        writer.WriteString("max_tool_calls"u8);
        writer.Write(q.MaxToolCalls);
        writer.WriteString("rate_limit_burst"u8);
        writer.Write(q.RateLimitBurst);
        writer.WriteString("rate_limit_rph"u8);
        writer.Write(q.RateLimitRph);
        writer.WriteString("rate_limit_rpm"u8);
        writer.Write(q.RateLimitRpm);
        writer.WriteString("soft_timeout_seconds"u8);
        writer.Write(q.SoftTimeoutSeconds);
        writer.WriteString("timeout_seconds"u8);
        writer.Write(q.TimeoutSeconds);
    }

    /// <summary>The CheckQuota body of <see cref="IpcViews.QuotaCheck"/>.</summary>
    public static void QuotaCheck(ref MessagePackWriter writer, QuotaCheckResult r)
    {
        writer.WriteMapHeader(7);
        writer.WriteString("agent_hops"u8);
        writer.Write(r.Usage.AgentHops);
        writer.WriteString("exceeded_reason"u8);
        writer.Write(r.ExceededReason);
        writer.WriteString("llm_calls"u8);
        writer.Write(r.Usage.LlmCalls);
        writer.WriteString("tokens_in"u8);
        writer.Write(r.Usage.TokensIn);
        writer.WriteString("tokens_out"u8);
        writer.Write(r.Usage.TokensOut);
        writer.WriteString("tool_calls"u8);
        writer.Write(r.Usage.ToolCalls);
        writer.WriteString("within_bounds"u8);
        writer.Write(r.WithinBounds);
    }

    /// <summary>The GetSystemStatus body of <see cref="IpcViews.SystemStatus"/>.</summary>
    public static void SystemStatus(ref MessagePackWriter writer, SystemStatus s)
    {
        writer.WriteMapHeader(4);
        writer.WriteString("commbus"u8);
        writer.WriteMapHeader(4);
        writer.WriteString("active_subscribers"u8);
        writer.Write(s.CommBus.ActiveSubscribers);
        writer.WriteString("commands_sent"u8);
        writer.Write(s.CommBus.CommandsSent);
        writer.WriteString("events_published"u8);
        writer.Write(s.CommBus.EventsPublished);
        writer.WriteString("queries_executed"u8);
        writer.Write(s.CommBus.QueriesExecuted);
        writer.WriteString("orchestration"u8);
        writer.WriteMapHeader(1);
        writer.WriteString("active_sessions"u8);
        writer.Write(s.ActiveOrchestrationSessions);
        writer.WriteString("processes"u8);
        writer.WriteMapHeader(2);
        writer.WriteString("by_state"u8);
        writer.WriteMapHeader(s_statesByName.Length);
        for (int i = 0; i < s_statesByName.Length; i++)
        {
            writer.WriteString(s_stateKeys[i]);
            writer.Write(s.Processes.ByState.GetValueOrDefault(s_statesByName[i]));
        }

        writer.WriteString("total"u8);
        writer.Write(s.Processes.Total);
        writer.WriteString("services"u8);
        writer.WriteMapHeader(3);
        writer.WriteString("degraded"u8);
        writer.Write(s.ServicesDegraded);
        writer.WriteString("healthy"u8);
        writer.Write(s.ServicesHealthy);
        writer.WriteString("unhealthy"u8);
        writer.Write(s.ServicesUnhealthy);
    }

    /// <summary>An RFC 3339 timestamp (ASCII), as <see cref="Rfc3339.Format(DateTimeOffset)"/> writes it.</summary>
    private static void Time(ref MessagePackWriter writer, DateTimeOffset value)
    {
        Span<char> chars = stackalloc char[Rfc3339.MaxLength];
        int length = Rfc3339.Format(value, chars);
        writer.WriteStringHeader(length);
        Span<byte> bytes = writer.GetSpan(length);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)chars[i];
        }

        writer.Advance(length);
    }
}
