using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// The client's half of the wire mapping: request bodies from the kernel's types (the inverse of the handlers'
/// reading) and the kernel's types from response bodies (the inverse of <see cref="IpcViews"/>). Fields a view does
/// not carry take their defaults (for example <see cref="ProcessInfo.Quota"/> is <see cref="ResourceQuota.Default"/> when
/// a reference server, which does not send it, answers).
/// </summary>
internal static class ClientWire
{
    public static string Str(JsonObject o, string name) => IpcFields.AsString(IpcFields.Get(o, name)) ?? string.Empty;

    public static string? OptStr(JsonObject o, string name) => IpcFields.AsString(IpcFields.Get(o, name));

    public static long I64(JsonObject o, string name) => IpcFields.TryGetInt64(IpcFields.Get(o, name), out long v) ? v : 0;

    public static int I32(JsonObject o, string name) => (int)Math.Clamp(I64(o, name), int.MinValue, int.MaxValue);

    public static bool Bool(JsonObject o, string name) => IpcFields.OptionalBool(o, name, defaultValue: false);

    public static double F64(JsonObject o, string name) =>
        IpcFields.Get(o, name) is JsonValue v && (v.TryGetValue(out double d) || (v.TryGetValue(out long l) && (d = l) == l)) ? d : 0;

    public static JsonObject Obj(JsonObject o, string name) => IpcFields.OptionalObject(o, name) ?? [];

    public static List<string> Strings(JsonObject o, string name) => IpcFields.OptionalArray(o, name) is { } a ? IpcFields.Strings(a) : [];

    public static IEnumerable<JsonObject> Objects(JsonObject o, string name) =>
        (IpcFields.OptionalArray(o, name) ?? []).OfType<JsonObject>();

    public static DateTimeOffset? Time(JsonObject o, string name) =>
        OptStr(o, name) is { } text && Rfc3339.TryParse(text, out DateTimeOffset t) ? t : null;

    public static TEnum Parse<TEnum>(string? text, Func<TEnum, string> toWire, TEnum fallback)
        where TEnum : struct, Enum
    {
        foreach (TEnum value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(toWire(value), text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return fallback;
    }

    public static TEnum? ParseOptional<TEnum>(string? text, Func<TEnum, string> toWire)
        where TEnum : struct, Enum
    {
        foreach (TEnum value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(toWire(value), text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    public static ProcessInfo Process(JsonObject o) => new()
    {
        Pid = new ProcessId(Str(o, "pid")),
        RequestId = RequestId.TryCreate(OptStr(o, "request_id"), out RequestId r) ? r : default,
        UserId = UserId.TryCreate(OptStr(o, "user_id"), out UserId u) ? u : default,
        SessionId = SessionId.TryCreate(OptStr(o, "session_id"), out SessionId s) ? s : default,
        State = WireNames.TryParseProcessState(OptStr(o, "state"), out ProcessState state) ? state : ProcessState.New,
        Priority = WireNames.TryParsePriority(OptStr(o, "priority"), out SchedulingPriority p) ? p : SchedulingPriority.Normal,
        // Our host's extension of §5.1; a reference server sends neither, and the defaults stand.
        Quota = IpcFields.OptionalObject(o, "quota") is { } quota ? Quota(quota) : ResourceQuota.Default,
        Usage = Usage(Obj(o, "usage")),
        CreatedAt = Time(o, "created_at") ?? default,
        StartedAt = Time(o, "started_at"),
        LastScheduledAt = Time(o, "last_scheduled_at"),
        CompletedAt = Time(o, "completed_at"),
    };

    public static ResourceUsage Usage(JsonObject o) => new()
    {
        AgentHops = I32(o, "agent_hops"),
        LlmCalls = I32(o, "llm_calls"),
        TokensIn = I64(o, "tokens_in"),
        TokensOut = I64(o, "tokens_out"),
        ToolCalls = I32(o, "tool_calls"),
    };

    public static ResourceQuota Quota(JsonObject o) => new()
    {
        MaxAgentHops = I32(o, "max_agent_hops"),
        MaxContextTokens = I32(o, "max_context_tokens"),
        MaxInferenceInputChars = I32(o, "max_inference_input_chars"),
        MaxInferenceRequests = I32(o, "max_inference_requests"),
        MaxInputTokens = I32(o, "max_input_tokens"),
        MaxIterations = I32(o, "max_iterations"),
        MaxLlmCalls = I32(o, "max_llm_calls"),
        MaxOutputTokens = I32(o, "max_output_tokens"),
        MaxToolCalls = I32(o, "max_tool_calls"),
        RateLimitBurst = I32(o, "rate_limit_burst"),
        RateLimitRph = I32(o, "rate_limit_rph"),
        RateLimitRpm = I32(o, "rate_limit_rpm"),
        SoftTimeoutSeconds = I32(o, "soft_timeout_seconds"),
        TimeoutSeconds = I32(o, "timeout_seconds"),
    };

    /// <summary>The quota keys a handler reads; <see cref="IpcViews.Quota"/> writes all of them.</summary>
    public static JsonObject QuotaUpdate(QuotaUpdate u)
    {
        var o = new JsonObject();
        Add(o, "max_agent_hops", u.MaxAgentHops);
        Add(o, "max_context_tokens", u.MaxContextTokens);
        Add(o, "max_inference_input_chars", u.MaxInferenceInputChars);
        Add(o, "max_inference_requests", u.MaxInferenceRequests);
        Add(o, "max_input_tokens", u.MaxInputTokens);
        Add(o, "max_iterations", u.MaxIterations);
        Add(o, "max_llm_calls", u.MaxLlmCalls);
        Add(o, "max_output_tokens", u.MaxOutputTokens);
        Add(o, "max_tool_calls", u.MaxToolCalls);
        Add(o, "rate_limit_burst", u.RateLimitBurst);
        Add(o, "rate_limit_rph", u.RateLimitRph);
        Add(o, "rate_limit_rpm", u.RateLimitRpm);
        Add(o, "soft_timeout_seconds", u.SoftTimeoutSeconds);
        Add(o, "timeout_seconds", u.TimeoutSeconds);
        return o;

        static void Add(JsonObject o, string name, int? value)
        {
            if (value is { } v)
            {
                o[name] = v;
            }
        }
    }

    /// <summary>The violation named by <c>exceeded_reason</c> (<c>…: llm_calls 5 &gt; 4</c>).</summary>
    public static QuotaCheckResult QuotaCheck(JsonObject o)
    {
        string reason = Str(o, "exceeded_reason");
        QuotaViolation violation = QuotaViolation.None;
        if (reason.Length > 0)
        {
            string tail = reason[(reason.LastIndexOf(": ", StringComparison.Ordinal) + 2)..];
            string name = tail.Split(' ')[0];
            violation = name switch
            {
                "llm_calls" => QuotaViolation.LlmCalls,
                "tool_calls" => QuotaViolation.ToolCalls,
                "agent_hops" => QuotaViolation.AgentHops,
                "iterations" => QuotaViolation.Iterations,
                "tokens_in" => QuotaViolation.TokensIn,
                "tokens_out" => QuotaViolation.TokensOut,
                "elapsed_seconds" => QuotaViolation.Timeout,
                "inference_requests" => QuotaViolation.InferenceRequests,
                "inference_input_chars" => QuotaViolation.InferenceInputChars,
                _ => Bool(o, "within_bounds") ? QuotaViolation.None : QuotaViolation.Timeout,
            };
        }

        return new QuotaCheckResult(violation, reason, Usage(o));
    }

    public static RateLimitDecision RateLimit(JsonObject o) => new()
    {
        Allowed = Bool(o, "allowed"),
        CurrentCount = I32(o, "current_count"),
        Limit = I32(o, "limit"),
        LimitType = ParseOptional<RateLimitWindow>(OptStr(o, "limit_type"), WireNames.ToWire),
        Reason = Str(o, "reason"),
        Remaining = I32(o, "remaining"),
        RetryAfter = TimeSpan.FromSeconds(F64(o, "retry_after_seconds")),
    };

    public static Dictionary<ProcessState, int> ByState(JsonObject o)
    {
        var counts = new Dictionary<ProcessState, int>();
        foreach (ProcessState state in Enum.GetValues<ProcessState>())
        {
            counts[state] = I32(o, WireNames.ToWire(state));
        }

        return counts;
    }

    public static ProcessCounts ProcessCounts(JsonObject o) => new(ByState(Obj(o, "counts_by_state")), I32(o, "total"), I32(o, "queue_depth"));

    public static SystemStatus SystemStatus(JsonObject o)
    {
        JsonObject bus = Obj(o, "commbus");
        JsonObject processes = Obj(o, "processes");
        JsonObject services = Obj(o, "services");
        return new SystemStatus
        {
            Processes = new ProcessCounts(ByState(Obj(processes, "by_state")), I32(processes, "total"), 0),
            ServicesHealthy = I32(services, "healthy"),
            ServicesDegraded = I32(services, "degraded"),
            ServicesUnhealthy = I32(services, "unhealthy"),
            ActiveOrchestrationSessions = I32(Obj(o, "orchestration"), "active_sessions"),
            CommBus = new CommBusStatistics(
                I64(bus, "events_published"), I64(bus, "commands_sent"), I64(bus, "queries_executed"), I32(bus, "active_subscribers"), 0),
        };
    }

    public static KernelInterrupt Interrupt(JsonObject o) => new()
    {
        Id = Str(o, "id"),
        Kind = WireNames.TryParseInterruptKind(OptStr(o, "kind"), out InterruptKind kind) ? kind : InterruptKind.Clarification,
        Status = Parse(OptStr(o, "status"), (InterruptStatus s) => WireNames.ToWire(s), InterruptStatus.Pending),
        RequestId = Str(o, "request_id"),
        UserId = Str(o, "user_id"),
        SessionId = Str(o, "session_id"),
        EnvelopeId = Str(o, "envelope_id"),
        ProcessId = ProcessId.TryCreate(OptStr(o, "process_id"), out ProcessId pid) ? pid : null,
        Question = OptStr(o, "question"),
        Message = OptStr(o, "message"),
        Data = (JsonObject?)IpcFields.OptionalObject(o, "data")?.DeepClone(),
        Response = IpcFields.Get(o, "response") is JsonObject r ? IpcSchemas.ReadInterruptResponse(r) : null,
        CreatedAt = Time(o, "created_at") ?? default,
        ExpiresAt = Time(o, "expires_at"),
        ResolvedAt = Time(o, "resolved_at"),
        TraceId = OptStr(o, "trace_id"),
        SpanId = OptStr(o, "span_id"),
    };

    public static JsonObject CreateInterrupt(CreateInterruptRequest request)
    {
        var body = new JsonObject
        {
            ["data"] = DispatchJson.Copy(request.Data) ?? new JsonObject(),
            ["envelope_id"] = request.EnvelopeId,
            ["kind"] = WireNames.ToWire(request.Kind),
            ["request_id"] = request.RequestId,
            ["session_id"] = request.SessionId,
            ["user_id"] = request.UserId,
        };
        AddIfSet(body, "message", request.Message);
        AddIfSet(body, "process_id", request.ProcessId?.Value);
        AddIfSet(body, "question", request.Question);
        return body;
    }

    public static FlowInterrupt FlowInterrupt(JsonObject o) => new()
    {
        Id = Str(o, "id"),
        Kind = WireNames.TryParseInterruptKind(OptStr(o, "kind"), out InterruptKind kind) ? kind : InterruptKind.Clarification,
        Question = OptStr(o, "question"),
        Message = OptStr(o, "message"),
        Data = IpcFields.Get(o, "data") is { } data ? DispatchJson.ToElement(data) : null,
        Response = IpcFields.Get(o, "response") is JsonObject r ? IpcSchemas.ReadInterruptResponse(r) : null,
        CreatedAt = Time(o, "created_at") ?? default,
        ExpiresAt = Time(o, "expires_at"),
    };

    public static Envelope Envelope(JsonNode? node) =>
        node is null ? throw new KernelException(KernelErrorCode.Internal, "internal error: the kernel answered without an envelope") : OrchestrationMethods.ReadEnvelope(node);

    public static Instruction Instruction(JsonObject o) => new()
    {
        Kind = Parse(OptStr(o, "kind"), (InstructionKind k) => WireNames.ToWire(k), InstructionKind.Terminate),
        AgentName = OptStr(o, "agent_name") is { Length: > 0 } agent ? agent : null,
        Envelope = IpcFields.Get(o, "envelope") is JsonObject e ? Envelope(e) : null,
        TerminalReason = WireNames.TryParseTerminalReason(OptStr(o, "terminal_reason"), out TerminalReason reason) ? reason : null,
        TerminationMessage = OptStr(o, "termination_message") is { Length: > 0 } message ? message : null,
        InterruptPending = Bool(o, "interrupt_pending"),
        Interrupt = IpcFields.Get(o, "interrupt") is JsonObject i ? FlowInterrupt(i) : null,
    };

    public static SessionState SessionState(JsonObject o)
    {
        var edges = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string key, JsonNode? _) in Obj(o, "edge_traversals"))
        {
            edges[key] = I32(Obj(o, "edge_traversals"), key);
        }

        return new SessionState
        {
            ProcessId = new ProcessId(Str(o, "process_id")),
            CurrentStage = Str(o, "current_stage"),
            StageOrder = Strings(o, "stage_order"),
            Envelope = Envelope(IpcFields.Get(o, "envelope")),
            EdgeTraversals = edges,
            Terminated = Bool(o, "terminated"),
            TerminalReason = WireNames.TryParseTerminalReason(OptStr(o, "terminal_reason"), out TerminalReason reason) ? reason : null,
        };
    }

    public static BoundsCheckResult Bounds(JsonObject o) => new(
        WireNames.TryParseTerminalReason(OptStr(o, "terminal_reason"), out TerminalReason reason) ? reason : null,
        I32(o, "llm_calls_remaining"),
        I32(o, "iterations_remaining"),
        I32(o, "agent_hops_remaining"));

    /// <summary>The inverse of <see cref="IpcSchemas.ReadPipelineConfig"/>.</summary>
    public static JsonObject PipelineConfig(PipelineConfig config)
    {
        var agents = new JsonArray();
        foreach (PipelineStage stage in config.Stages)
        {
            var routing = new JsonArray();
            foreach (RoutingRule rule in stage.Routing)
            {
                var r = new JsonObject();
                AddIfSet(r, "condition", rule.Condition);
                r["target"] = rule.Target;
                r["value"] = DispatchJson.Copy(rule.Value);
                routing.Add((JsonNode)r);
            }

            agents.Add((JsonNode)new JsonObject { ["agent"] = stage.Agent, ["name"] = stage.Name, ["routing"] = routing });
        }

        var limits = new JsonArray();
        foreach (EdgeLimit limit in config.EdgeLimits)
        {
            limits.Add((JsonNode)new JsonObject { ["from_stage"] = limit.FromStage, ["max_count"] = limit.MaxCount, ["to_stage"] = limit.ToStage });
        }

        var body = new JsonObject
        {
            ["agents"] = agents,
            ["edge_limits"] = limits,
            ["max_agent_hops"] = config.MaxAgentHops,
            ["max_iterations"] = config.MaxIterations,
            ["max_llm_calls"] = config.MaxLlmCalls,
            ["name"] = config.Name,
        };
        if (config.ResumeStages.Count > 0)
        {
            var resume = new JsonObject();
            foreach (KeyValuePair<InterruptKind, string> entry in config.ResumeStages.OrderBy(static e => WireNames.ToWire(e.Key), StringComparer.Ordinal))
            {
                resume[WireNames.ToWire(entry.Key)] = entry.Value;
            }

            body["resume_stages"] = resume;
        }

        return body;
    }

    public static ToolHealthReport ToolHealth(JsonObject o) => new()
    {
        ToolName = Str(o, "tool_name"),
        Status = Parse(OptStr(o, "status"), (HealthStatus s) => WireNames.ToWire(s), HealthStatus.Unknown),
        SuccessRate = F64(o, "success_rate"),
        AvgLatencyMs = F64(o, "avg_latency_ms"),
        TotalCalls = I32(o, "total_calls"),
        RecentErrors = I32(o, "recent_errors"),
        Issues = Strings(o, "issues"),
        CircuitBroken = Bool(o, "circuit_broken"),
    };

    public static SystemToolHealth SystemToolHealth(JsonObject o)
    {
        JsonObject summary = Obj(o, "summary");
        var counts = new Dictionary<HealthStatus, int>();
        foreach (HealthStatus status in Enum.GetValues<HealthStatus>())
        {
            counts[status] = I32(summary, WireNames.ToWire(status));
        }

        return new SystemToolHealth(
            Parse(OptStr(o, "status"), (HealthStatus s) => WireNames.ToWire(s), HealthStatus.Unknown),
            Objects(o, "tool_reports").Select(ToolHealth).ToList(),
            counts);
    }

    /// <summary>A Subscribe chunk (ipc.md §5.12); the payload travels as JSON text.</summary>
    public static BusEvent Event(JsonObject o)
    {
        JsonElement payload;
        try
        {
            payload = OptStr(o, "payload") is { } text ? JsonElement.Parse(text) : JsonElement.Parse("{}");
        }
        catch (JsonException ex)
        {
            throw new KernelException(KernelErrorCode.Internal, "internal error: an event payload is not JSON: " + ex.Message, ex);
        }

        return new BusEvent(Str(o, "event_type"), payload, DateTimeOffset.FromUnixTimeMilliseconds(I64(o, "timestamp_ms")), Str(o, "source"));
    }

    public static void AddIfSet(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }
}
