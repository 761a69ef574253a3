using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// Builds the response bodies of ipc.md §5 and §6 from the kernel's types. Keys are added in ordinal order, optional
/// keys that are none are left out (never null) unless the schema says the key is always present.
/// </summary>
internal static class IpcViews
{
    private static readonly ProcessState[] s_statesByName =
    [
        ProcessState.Blocked, ProcessState.New, ProcessState.Ready, ProcessState.Running,
        ProcessState.Terminated, ProcessState.Waiting, ProcessState.Zombie,
    ];

    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The process view of §5.1, extended with <c>quota</c> (§5.3), <c>created_at</c> and, once set,
    /// <c>started_at</c>, <c>last_scheduled_at</c> and <c>completed_at</c> (RFC 3339). The reference's clients read
    /// the view's keys by name and ignore the others (ipc.md §7.1), so the extension is additive.
    /// </summary>
    public static JsonObject Process(ProcessInfo p)
    {
        var result = new JsonObject();
        AddIfSet(result, "completed_at", Time(p.CompletedAt));
        result["created_at"] = Rfc3339.Format(p.CreatedAt);
        result["current_stage"] = string.Empty;
        AddIfSet(result, "last_scheduled_at", Time(p.LastScheduledAt));
        result["pid"] = p.Pid.Value;
        result["priority"] = WireNames.ToWire(p.Priority);
        result["quota"] = Quota(p.Quota);
        result["request_id"] = p.RequestId.Value;
        result["session_id"] = p.SessionId.Value;
        AddIfSet(result, "started_at", Time(p.StartedAt));
        result["state"] = WireNames.ToWire(p.State);
        result["usage"] = Usage(p.Usage);
        result["user_id"] = p.UserId.Value;
        return result;
    }

    /// <summary>The usage map of §5.2.</summary>
    public static JsonObject Usage(ResourceUsage u) => new()
    {
        ["agent_hops"] = u.AgentHops,
        ["llm_calls"] = u.LlmCalls,
        ["tokens_in"] = u.TokensIn,
        ["tokens_out"] = u.TokensOut,
        ["tool_calls"] = u.ToolCalls,
    };

    /// <summary>The 14-key quota map of §5.3.</summary>
    public static JsonObject Quota(ResourceQuota q) => new()
    {
        ["max_agent_hops"] = q.MaxAgentHops,
        ["max_context_tokens"] = q.MaxContextTokens,
        ["max_inference_input_chars"] = q.MaxInferenceInputChars,
        ["max_inference_requests"] = q.MaxInferenceRequests,
        ["max_input_tokens"] = q.MaxInputTokens,
        ["max_iterations"] = q.MaxIterations,
        ["max_llm_calls"] = q.MaxLlmCalls,
        ["max_output_tokens"] = q.MaxOutputTokens,
        ["max_tool_calls"] = q.MaxToolCalls,
        ["rate_limit_burst"] = q.RateLimitBurst,
        ["rate_limit_rph"] = q.RateLimitRph,
        ["rate_limit_rpm"] = q.RateLimitRpm,
        ["soft_timeout_seconds"] = q.SoftTimeoutSeconds,
        ["timeout_seconds"] = q.TimeoutSeconds,
    };

    /// <summary>The CheckQuota body.</summary>
    public static JsonObject QuotaCheck(QuotaCheckResult r) => new()
    {
        ["agent_hops"] = r.Usage.AgentHops,
        ["exceeded_reason"] = r.ExceededReason,
        ["llm_calls"] = r.Usage.LlmCalls,
        ["tokens_in"] = r.Usage.TokensIn,
        ["tokens_out"] = r.Usage.TokensOut,
        ["tool_calls"] = r.Usage.ToolCalls,
        ["within_bounds"] = r.WithinBounds,
    };

    /// <summary>The CheckRateLimit body, with the real window, limit and retry time (COMPATIBILITY.md Q9).</summary>
    public static JsonObject RateLimit(RateLimitDecision d) => new()
    {
        ["allowed"] = d.Allowed,
        ["current_count"] = d.CurrentCount,
        ["exceeded"] = d.Exceeded,
        ["limit"] = d.Limit,
        ["limit_type"] = d.LimitType is { } window ? WireNames.ToWire(window) : string.Empty,
        ["reason"] = d.Reason,
        ["remaining"] = d.Remaining,
        ["retry_after_seconds"] = d.RetryAfter.TotalSeconds,
    };

    /// <summary>All seven states, by wire name.</summary>
    public static JsonObject ByState(IReadOnlyDictionary<ProcessState, int> counts)
    {
        var result = new JsonObject();
        foreach (ProcessState state in s_statesByName)
        {
            result[WireNames.ToWire(state)] = counts.GetValueOrDefault(state);
        }

        return result;
    }

    /// <summary>The GetProcessCounts body.</summary>
    public static JsonObject ProcessCounts(ProcessCounts c) => new()
    {
        ["counts_by_state"] = ByState(c.ByState),
        ["queue_depth"] = c.QueueDepth,
        ["total"] = c.Total,
    };

    /// <summary>The GetSystemStatus body.</summary>
    public static JsonObject SystemStatus(SystemStatus s) => new()
    {
        ["commbus"] = new JsonObject
        {
            ["active_subscribers"] = s.CommBus.ActiveSubscribers,
            ["commands_sent"] = s.CommBus.CommandsSent,
            ["events_published"] = s.CommBus.EventsPublished,
            ["queries_executed"] = s.CommBus.QueriesExecuted,
        },
        ["orchestration"] = new JsonObject { ["active_sessions"] = s.ActiveOrchestrationSessions },
        ["processes"] = new JsonObject
        {
            ["by_state"] = ByState(s.Processes.ByState),
            ["total"] = s.Processes.Total,
        },
        ["services"] = new JsonObject
        {
            ["degraded"] = s.ServicesDegraded,
            ["healthy"] = s.ServicesHealthy,
            ["unhealthy"] = s.ServicesUnhealthy,
        },
    };

    /// <summary>The flat interrupt map of §5.8; <c>resolved_at</c> is always present (null until resolved).</summary>
    public static JsonObject Interrupt(KernelInterrupt i)
    {
        var result = new JsonObject { ["created_at"] = Rfc3339.Format(i.CreatedAt) };
        AddIfSet(result, "data", DispatchJson.Copy(i.Data));
        result["envelope_id"] = i.EnvelopeId;
        AddIfSet(result, "expires_at", Time(i.ExpiresAt));
        result["id"] = i.Id;
        result["kind"] = WireNames.ToWire(i.Kind);
        AddIfSet(result, "message", i.Message);
        AddIfSet(result, "process_id", i.ProcessId?.Value);
        AddIfSet(result, "question", i.Question);
        result["request_id"] = i.RequestId;
        result["resolved_at"] = Time(i.ResolvedAt);
        AddIfSet(result, "response", i.Response is { } r ? InterruptResponse(r) : null);
        result["session_id"] = i.SessionId;
        AddIfSet(result, "span_id", i.SpanId);
        result["status"] = WireNames.ToWire(i.Status);
        AddIfSet(result, "trace_id", i.TraceId);
        result["user_id"] = i.UserId;
        return result;
    }

    /// <summary>The interrupt response of §5.10; <c>received_at</c> is left out only when the kernel never stamped it.</summary>
    public static JsonObject InterruptResponse(InterruptResponse r)
    {
        var result = new JsonObject();
        AddIfSet(result, "approved", r.Approved is { } approved ? JsonValue.Create(approved) : null);
        AddIfSet(result, "data", DispatchJson.ToNode(r.Data));
        AddIfSet(result, "decision", r.Decision);
        AddIfSet(result, "received_at", Time(r.ReceivedAt));
        AddIfSet(result, "text", r.Text);
        return result;
    }

    /// <summary>The flow interrupt of §5.9, as carried by an instruction.</summary>
    public static JsonObject FlowInterrupt(FlowInterrupt i)
    {
        var result = new JsonObject { ["created_at"] = Rfc3339.Format(i.CreatedAt) };
        AddIfSet(result, "data", DispatchJson.ToNode(i.Data));
        AddIfSet(result, "expires_at", Time(i.ExpiresAt));
        result["id"] = i.Id;
        result["kind"] = WireNames.ToWire(i.Kind);
        AddIfSet(result, "message", i.Message);
        AddIfSet(result, "question", i.Question);
        AddIfSet(result, "response", i.Response is { } r ? InterruptResponse(r) : null);
        return result;
    }

    /// <summary>The envelope of §5.4, in its JSON form.</summary>
    public static JsonNode Envelope(Envelope e) => DispatchJson.ToNode(EnvelopeJson.ToElement(e))!;

    /// <summary>The instruction of §5.6; every key is present.</summary>
    public static JsonObject Instruction(Instruction i) => new()
    {
        ["agent_name"] = i.AgentName ?? string.Empty,
        ["envelope"] = i.Envelope is { } e ? Envelope(e) : null,
        ["interrupt"] = i.Interrupt is { } fi ? FlowInterrupt(fi) : null,
        ["interrupt_pending"] = i.InterruptPending,
        ["kind"] = WireNames.ToWire(i.Kind),
        ["terminal_reason"] = i.TerminalReason is { } reason ? WireNames.ToWire(reason) : string.Empty,
        ["termination_message"] = i.TerminationMessage ?? string.Empty,
    };

    /// <summary>The session state of §5.7.</summary>
    public static JsonObject SessionState(SessionState s)
    {
        var edges = new JsonObject();
        foreach (KeyValuePair<string, int> edge in s.EdgeTraversals.OrderBy(static e => e.Key, StringComparer.Ordinal))
        {
            edges[edge.Key] = edge.Value;
        }

        return new JsonObject
        {
            ["current_stage"] = s.CurrentStage,
            ["edge_traversals"] = edges,
            ["envelope"] = Envelope(s.Envelope),
            ["process_id"] = s.ProcessId.Value,
            ["stage_order"] = Strings(s.StageOrder),
            ["terminal_reason"] = s.TerminalReason is { } reason ? WireNames.ToWire(reason) : string.Empty,
            ["terminated"] = s.Terminated,
        };
    }

    /// <summary>The engine's CheckBounds body.</summary>
    public static JsonObject Bounds(BoundsCheckResult b) => new()
    {
        ["agent_hops_remaining"] = Math.Max(0, b.AgentHopsRemaining),
        ["can_continue"] = b.CanContinue,
        ["iterations_remaining"] = Math.Max(0, b.IterationsRemaining),
        ["llm_calls_remaining"] = Math.Max(0, b.LlmCallsRemaining),
        ["terminal_reason"] = b.TerminalReason is { } reason ? WireNames.ToWire(reason) : string.Empty,
    };

    /// <summary>A tool entry as registered (§5.11): tagged parameter types, <c>default</c> left out when none.</summary>
    public static JsonObject Tool(ToolEntry t)
    {
        var parameters = new JsonArray();
        foreach (ToolParameter p in t.Parameters)
        {
            var parameter = new JsonObject();
            AddIfSet(parameter, "default", DispatchJson.Copy(p.Default));
            parameter["description"] = p.Description;
            parameter["name"] = p.Name;
            parameter["param_type"] = ParamType(p.Type);
            parameters.Add((JsonNode)parameter);
        }

        return new JsonObject
        {
            ["category"] = WireNames.ToWire(t.Category),
            ["description"] = t.Description,
            ["id"] = t.Id,
            ["parameters"] = parameters,
            ["risk_semantic"] = WireNames.ToWire(t.RiskSemantic),
            ["risk_severity"] = WireNames.ToWire(t.RiskSeverity),
        };
    }

    /// <summary>The externally tagged parameter type: a string, <c>{"enum": [...]}</c> or <c>{"optional": ...}</c>.</summary>
    public static JsonNode ParamType(ToolParameterType type) => type.Kind switch
    {
        ToolParameterKind.String => "string",
        ToolParameterKind.Int => "int",
        ToolParameterKind.Float => "float",
        ToolParameterKind.Bool => "bool",
        ToolParameterKind.StringList => "string_list",
        ToolParameterKind.Enum => new JsonObject { ["enum"] = Strings(type.Values) },
        _ => new JsonObject { ["optional"] = ParamType(type.Inner!) },
    };

    /// <summary>A tool health report (§5.11); the rates are floats.</summary>
    public static JsonObject ToolHealth(ToolHealthReport r) => new()
    {
        ["avg_latency_ms"] = r.AvgLatencyMs,
        ["circuit_broken"] = r.CircuitBroken,
        ["issues"] = Strings(r.Issues),
        ["recent_errors"] = r.RecentErrors,
        ["status"] = WireNames.ToWire(r.Status),
        ["success_rate"] = r.SuccessRate,
        ["tool_name"] = r.ToolName,
        ["total_calls"] = r.TotalCalls,
    };

    /// <summary>The system health report (§5.11), tools sorted by name.</summary>
    public static JsonObject SystemToolHealth(SystemToolHealth h)
    {
        var reports = new JsonArray();
        foreach (ToolHealthReport report in h.ToolReports.OrderBy(static r => r.ToolName, StringComparer.Ordinal))
        {
            reports.Add((JsonNode)ToolHealth(report));
        }

        return new JsonObject
        {
            ["status"] = WireNames.ToWire(h.Status),
            ["summary"] = new JsonObject
            {
                ["degraded"] = h.Summary.GetValueOrDefault(HealthStatus.Degraded),
                ["healthy"] = h.Summary.GetValueOrDefault(HealthStatus.Healthy),
                ["unhealthy"] = h.Summary.GetValueOrDefault(HealthStatus.Unhealthy),
                ["unknown"] = h.Summary.GetValueOrDefault(HealthStatus.Unknown),
            },
            ["tool_reports"] = reports,
        };
    }

    /// <summary>
    /// A Subscribe chunk body (§5.12). A client's payload is sent as the text it published; the kernel's own events
    /// (source <c>kernel</c>) as compact JSON with sorted keys, as the reference writes them (§5.13).
    /// </summary>
    public static JsonObject Event(BusEvent e) => new()
    {
        ["event_type"] = e.EventType,
        ["payload"] = e.Source == "kernel" ? SortedCompact(e.Payload) : e.Payload.GetRawText(),
        ["source"] = e.Source,
        ["timestamp_ms"] = e.Timestamp.ToUnixTimeMilliseconds(),
    };

    /// <summary>A string array.</summary>
    public static JsonArray Strings(IEnumerable<string> values)
    {
        var array = new JsonArray();
        foreach (string value in values)
        {
            array.Add((JsonNode)value);
        }

        return array;
    }

    private static string SortedCompact(JsonElement payload)
    {
        JsonNode? node = DispatchJson.ToNode(payload);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_compact))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static string? Time(DateTimeOffset? value) => value is { } v ? Rfc3339.Format(v) : null;

    private static void AddIfSet(JsonObject target, string name, JsonNode? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static void AddIfSet(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }
}
