using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Jeeves.Ipc;

/// <summary>The <c>kernel</c> service over TCP.</summary>
internal sealed class TcpKernelService(TcpKernelClient client) : IKernelService
{
    private const string S = "kernel";

    public async Task<ProcessInfo> CreateProcessAsync(ProcessId pid, CreateProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["pid"] = pid.Value };
        if (options is not null)
        {
            body["priority"] = WireNames.ToWire(options.Priority);
            ClientWire.AddIfSet(body, "request_id", options.RequestId?.Value);
            ClientWire.AddIfSet(body, "session_id", options.SessionId?.Value);
            ClientWire.AddIfSet(body, "user_id", options.UserId?.Value);
            if (options.Quota is { } quota)
            {
                body["quota"] = IpcViews.Quota(quota);
            }
        }

        return ClientWire.Process(await client.CallObjectAsync(S, "CreateProcess", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<ProcessInfo?> GetProcessAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        await client.CallOrNullAsync(S, "GetProcess", new JsonObject { ["pid"] = pid.Value }, cancellationToken).ConfigureAwait(false) is { } o
            ? ClientWire.Process(o)
            : null;

    public async Task<ProcessInfo> ScheduleProcessAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        ClientWire.Process(await client.CallObjectAsync(S, "ScheduleProcess", new JsonObject { ["pid"] = pid.Value }, cancellationToken).ConfigureAwait(false));

    public async Task<ProcessInfo?> GetNextRunnableAsync(CancellationToken cancellationToken = default) =>
        await client.CallOrNullAsync(S, "GetNextRunnable", [], cancellationToken).ConfigureAwait(false) is { } o ? ClientWire.Process(o) : null;

    /// <remarks>The wire carries no interrupt kind: <paramref name="interruptKind"/> is not sent.</remarks>
    public async Task<ProcessInfo> TransitionStateAsync(
        ProcessId pid, ProcessState newState, string? reason = null, InterruptKind? interruptKind = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["new_state"] = WireNames.ToWire(newState), ["pid"] = pid.Value };
        ClientWire.AddIfSet(body, "reason", reason);
        return ClientWire.Process(await client.CallObjectAsync(S, "TransitionState", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<ProcessInfo> TerminateProcessAsync(ProcessId pid, string? reason = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["pid"] = pid.Value };
        ClientWire.AddIfSet(body, "reason", reason);
        return ClientWire.Process(await client.CallObjectAsync(S, "TerminateProcess", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<ProcessInfo> ResumeProcessAsync(ProcessId pid, JsonObject? envelopeUpdate = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["pid"] = pid.Value };
        if (envelopeUpdate is not null)
        {
            body["envelope_update"] = DispatchJson.Copy(envelopeUpdate);
        }

        return ClientWire.Process(await client.CallObjectAsync(S, "ResumeProcess", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<QuotaCheckResult> CheckQuotaAsync(ProcessId pid, CancellationToken cancellationToken = default) =>
        ClientWire.QuotaCheck(await client.CallObjectAsync(S, "CheckQuota", new JsonObject { ["pid"] = pid.Value }, cancellationToken).ConfigureAwait(false));

    public async Task<ResourceUsage> RecordUsageAsync(ProcessId pid, UsageDelta usage, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["agent_hops"] = usage.AgentHops,
            ["inference_input_chars"] = usage.InferenceInputChars,
            ["inference_requests"] = usage.InferenceRequests,
            ["iterations"] = usage.Iterations,
            ["llm_calls"] = usage.LlmCalls,
            ["pid"] = pid.Value,
            ["tokens_in"] = usage.TokensIn,
            ["tokens_out"] = usage.TokensOut,
            ["tool_calls"] = usage.ToolCalls,
        };
        return ClientWire.Usage(await client.CallObjectAsync(S, "RecordUsage", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<RateLimitDecision> CheckRateLimitAsync(UserId userId, bool record = true, CancellationToken cancellationToken = default) =>
        ClientWire.RateLimit(await client.CallObjectAsync(
            S, "CheckRateLimit", new JsonObject { ["record"] = record, ["user_id"] = userId.Value }, cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<ProcessInfo>> ListProcessesAsync(ProcessState? state = null, UserId? userId = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        ClientWire.AddIfSet(body, "state", state is { } s ? WireNames.ToWire(s) : null);
        ClientWire.AddIfSet(body, "user_id", userId?.Value);
        JsonObject reply = await client.CallObjectAsync(S, "ListProcesses", body, cancellationToken).ConfigureAwait(false);
        return ClientWire.Objects(reply, "processes").Select(ClientWire.Process).ToList();
    }

    public async Task<ProcessCounts> GetProcessCountsAsync(CancellationToken cancellationToken = default) =>
        ClientWire.ProcessCounts(await client.CallObjectAsync(S, "GetProcessCounts", [], cancellationToken).ConfigureAwait(false));

    public async Task<ResourceQuota> SetQuotaDefaultsAsync(QuotaUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return ClientWire.Quota(await client.CallObjectAsync(
            S, "SetQuotaDefaults", new JsonObject { ["quota"] = ClientWire.QuotaUpdate(update) }, cancellationToken).ConfigureAwait(false));
    }

    public async Task<ResourceQuota> GetQuotaDefaultsAsync(CancellationToken cancellationToken = default) =>
        ClientWire.Quota(await client.CallObjectAsync(S, "GetQuotaDefaults", [], cancellationToken).ConfigureAwait(false));

    public async Task<SystemStatus> GetSystemStatusAsync(CancellationToken cancellationToken = default) =>
        ClientWire.SystemStatus(await client.CallObjectAsync(S, "GetSystemStatus", [], cancellationToken).ConfigureAwait(false));
}

/// <summary>The <c>interrupt</c> service over TCP.</summary>
internal sealed class TcpInterruptService(TcpKernelClient client) : IInterruptService
{
    private const string S = "interrupt";

    public async Task<KernelInterrupt> CreateAsync(CreateInterruptRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ClientWire.Interrupt(await client.CallObjectAsync(S, "CreateInterrupt", ClientWire.CreateInterrupt(request), cancellationToken).ConfigureAwait(false));
    }

    public async Task<bool> ResolveAsync(string interruptId, InterruptResponse response, string? userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        ArgumentNullException.ThrowIfNull(response);
        var body = new JsonObject { ["interrupt_id"] = interruptId, ["response"] = IpcViews.InterruptResponse(response) };
        ClientWire.AddIfSet(body, "user_id", userId);
        return ClientWire.Bool(await client.CallObjectAsync(S, "ResolveInterrupt", body, cancellationToken).ConfigureAwait(false), "success");
    }

    public async Task<bool> CancelAsync(string interruptId, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        var body = new JsonObject { ["interrupt_id"] = interruptId };
        ClientWire.AddIfSet(body, "reason", reason);
        return ClientWire.Bool(await client.CallObjectAsync(S, "CancelInterrupt", body, cancellationToken).ConfigureAwait(false), "success");
    }

    public async Task<KernelInterrupt?> GetAsync(string interruptId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        return await client.CallOrNullAsync(S, "GetInterrupt", new JsonObject { ["interrupt_id"] = interruptId }, cancellationToken).ConfigureAwait(false) is { } o
            ? ClientWire.Interrupt(o)
            : null;
    }

    public async Task<IReadOnlyList<KernelInterrupt>> GetPendingForSessionAsync(
        string sessionId, IReadOnlyCollection<InterruptKind>? kinds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var body = new JsonObject { ["session_id"] = sessionId };
        if (kinds is not null)
        {
            body["kinds"] = IpcViews.Strings(kinds.Select(WireNames.ToWire));
        }

        JsonObject reply = await client.CallObjectAsync(S, "GetPendingForSession", body, cancellationToken).ConfigureAwait(false);
        return ClientWire.Objects(reply, "interrupts").Select(ClientWire.Interrupt).ToList();
    }
}

/// <summary>The <c>tools</c> service over TCP.</summary>
internal sealed class TcpToolService(TcpKernelClient client) : IToolService
{
    private const string S = "tools";

    /// <remarks>
    /// The wire always replaces (ipc.md §6.5), so the outcome is decided here from the stored entry: an equal entry is
    /// <see cref="ToolRegistration.Unchanged"/>, a different one without <paramref name="replaceExisting"/> is
    /// ALREADY_EXISTS, as in process. Another client registering the same id in between can make the answer stale.
    /// </remarks>
    public async Task<ToolRegistration> RegisterToolAsync(ToolEntry entry, bool replaceExisting = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ToolEntry? existing = await GetToolEntryAsync(entry.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Equals(entry))
        {
            return ToolRegistration.Unchanged;
        }

        if (existing is not null && !replaceExisting)
        {
            throw new KernelException(KernelErrorCode.AlreadyExists, $"already exists: Tool {entry.Id} is already registered with a different definition");
        }

        _ = await client.CallObjectAsync(S, "RegisterTool", IpcViews.Tool(entry), cancellationToken).ConfigureAwait(false);
        return existing is null ? ToolRegistration.Added : ToolRegistration.Replaced;
    }

    public async Task<ToolEntry?> GetToolEntryAsync(string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return await client.CallOrNullAsync(S, "GetToolEntry", new JsonObject { ["tool_id"] = toolId }, cancellationToken).ConfigureAwait(false) is { } o
            ? IpcSchemas.ReadToolEntry(o)
            : null;
    }

    public async Task<IReadOnlyList<ToolEntry>> ListToolsAsync(CancellationToken cancellationToken = default)
    {
        JsonObject reply = await client.CallObjectAsync(S, "ListTools", [], cancellationToken).ConfigureAwait(false);
        return ClientWire.Objects(reply, "tools").Select(IpcSchemas.ReadToolEntry).ToList();
    }

    public async Task<ToolValidationResult> ValidateToolParamsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        JsonObject reply = await client.CallObjectAsync(S, "ValidateToolParams", WithParams(toolId, parameters), cancellationToken).ConfigureAwait(false);
        return new ToolValidationResult(ClientWire.Strings(reply, "errors"));
    }

    public async Task<JsonNode?> FillDefaultsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        JsonObject reply = await client.CallObjectAsync(S, "FillDefaults", WithParams(toolId, parameters), cancellationToken).ConfigureAwait(false);
        return IpcFields.Get(reply, "params")?.DeepClone();
    }

    public async Task<string> GenerateToolPromptAsync(IReadOnlyList<string>? allowedTools = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        if (allowedTools is not null)
        {
            body["allowed_tools"] = IpcViews.Strings(allowedTools);
        }

        return ClientWire.Str(await client.CallObjectAsync(S, "GenerateToolPrompt", body, cancellationToken).ConfigureAwait(false), "prompt");
    }

    public async Task GrantToolAccessAsync(string agentName, IReadOnlyCollection<string> toolIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolIds);
        _ = await client.CallObjectAsync(
            S, "GrantToolAccess", new JsonObject { ["agent_name"] = agentName, ["tool_ids"] = IpcViews.Strings(toolIds) }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RevokeToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        _ = await client.CallObjectAsync(S, "RevokeToolAccess", new JsonObject { ["agent_name"] = agentName, ["tool_id"] = toolId }, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<bool> CheckToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        return ClientWire.Bool(
            await client.CallObjectAsync(S, "CheckToolAccess", new JsonObject { ["agent_name"] = agentName, ["tool_id"] = toolId }, cancellationToken)
                .ConfigureAwait(false),
            "allowed");
    }

    public async Task<IReadOnlyList<string>> GetAgentToolsAsync(string agentName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        return ClientWire.Strings(
            await client.CallObjectAsync(S, "GetAgentTools", new JsonObject { ["agent_name"] = agentName }, cancellationToken).ConfigureAwait(false),
            "tool_ids");
    }

    /// <remarks>The latency travels in whole milliseconds.</remarks>
    public async Task RecordToolExecutionAsync(string toolName, bool success, TimeSpan latency, string? errorType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        var body = new JsonObject
        {
            ["latency_ms"] = (long)latency.TotalMilliseconds,
            ["success"] = success,
            ["tool_name"] = toolName,
        };
        ClientWire.AddIfSet(body, "error_type", errorType);
        _ = await client.CallObjectAsync(S, "RecordToolExecution", body, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ToolHealthReport> CheckToolHealthAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return ClientWire.ToolHealth(
            await client.CallObjectAsync(S, "CheckToolHealth", new JsonObject { ["tool_name"] = toolName }, cancellationToken).ConfigureAwait(false));
    }

    public async Task<SystemToolHealth> GetSystemToolHealthAsync(CancellationToken cancellationToken = default) =>
        ClientWire.SystemToolHealth(await client.CallObjectAsync(S, "GetSystemToolHealth", [], cancellationToken).ConfigureAwait(false));

    public async Task<bool> ShouldCircuitBreakAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return ClientWire.Bool(
            await client.CallObjectAsync(S, "ShouldCircuitBreak", new JsonObject { ["tool_name"] = toolName }, cancellationToken).ConfigureAwait(false),
            "circuit_broken");
    }

    public async Task<IReadOnlyList<ToolErrorPattern>> GetErrorPatternsAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        JsonObject reply = await client.CallObjectAsync(S, "GetErrorPatterns", new JsonObject { ["tool_name"] = toolName }, cancellationToken).ConfigureAwait(false);
        return ClientWire.Objects(reply, "patterns").Select(static p => new ToolErrorPattern(ClientWire.Str(p, "error_type"), ClientWire.I32(p, "count"))).ToList();
    }

    private static JsonObject WithParams(string toolId, JsonNode? parameters)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        var body = new JsonObject { ["tool_id"] = toolId };
        if (parameters is not null)
        {
            body["params"] = DispatchJson.Copy(parameters);
        }

        return body;
    }
}

/// <summary>The <c>engine</c> service over TCP.</summary>
internal sealed class TcpEngineService(TcpKernelClient client) : IEngineService
{
    private const string S = "engine";

    public async Task<Envelope> CreateEnvelopeAsync(CreateEnvelopeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        if (options is not null)
        {
            ClientWire.AddIfSet(body, "raw_input", options.RawInput);
            ClientWire.AddIfSet(body, "request_id", options.RequestId);
            ClientWire.AddIfSet(body, "session_id", options.SessionId);
            ClientWire.AddIfSet(body, "user_id", options.UserId);
            if (options.StageOrder is { } order)
            {
                body["stage_order"] = IpcViews.Strings(order);
            }
        }

        return ClientWire.Envelope(await client.CallAsync(S, "CreateEnvelope", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<BoundsCheckResult> CheckBoundsAsync(Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var body = (JsonObject)IpcViews.Envelope(envelope);
        return ClientWire.Bounds(await client.CallObjectAsync(S, "CheckBounds", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<Envelope> UpdateEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default) =>
        ClientWire.Envelope(await client.CallAsync(S, "UpdateEnvelope", WithEnvelope(envelope), cancellationToken).ConfigureAwait(false));

    public async Task<Instruction> ExecutePipelineAsync(Envelope envelope, PipelineConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        JsonObject body = WithEnvelope(envelope);
        body["pipeline_config"] = ClientWire.PipelineConfig(config);
        return ClientWire.Instruction(await client.CallObjectAsync(S, "ExecutePipeline", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<Envelope> CloneEnvelopeAsync(Envelope envelope, CancellationToken cancellationToken = default) =>
        ClientWire.Envelope(await client.CallAsync(S, "CloneEnvelope", WithEnvelope(envelope), cancellationToken).ConfigureAwait(false));

    private static JsonObject WithEnvelope(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new JsonObject { ["envelope"] = IpcViews.Envelope(envelope) };
    }
}

/// <summary>The <c>orchestration</c> service over TCP.</summary>
internal sealed class TcpOrchestrationService(TcpKernelClient client) : IOrchestrationService
{
    private const string S = "orchestration";

    public async Task<SessionState> InitializeSessionAsync(
        ProcessId processId, PipelineConfig config, Envelope envelope, bool force = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(envelope);
        var body = new JsonObject
        {
            ["envelope"] = IpcViews.Envelope(envelope),
            ["force"] = force,
            ["pipeline_config"] = ClientWire.PipelineConfig(config),
            ["process_id"] = processId.Value,
        };
        return ClientWire.SessionState(await client.CallObjectAsync(S, "InitializeSession", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<Instruction> GetNextInstructionAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
        ClientWire.Instruction(await client.CallObjectAsync(
            S, "GetNextInstruction", new JsonObject { ["process_id"] = processId.Value }, cancellationToken).ConfigureAwait(false));

    /// <remarks>The wire carries no <see cref="AgentResult.Interrupt"/>; the duration travels in whole milliseconds.</remarks>
    public async Task<Instruction> ReportAgentResultAsync(ProcessId processId, AgentResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var metrics = new JsonObject
        {
            ["duration_ms"] = (long)result.Metrics.Duration.TotalMilliseconds,
            ["llm_calls"] = result.Metrics.LlmCalls,
            ["tool_calls"] = result.Metrics.ToolCalls,
        };
        if (result.Metrics.TokensIn is { } tokensIn)
        {
            metrics["tokens_in"] = tokensIn;
        }

        if (result.Metrics.TokensOut is { } tokensOut)
        {
            metrics["tokens_out"] = tokensOut;
        }

        var body = new JsonObject
        {
            ["agent_name"] = result.AgentName,
            ["error"] = result.Error,
            ["metrics"] = metrics,
            ["output"] = DispatchJson.Copy(result.Output) ?? new JsonObject(),
            ["process_id"] = processId.Value,
            ["success"] = result.Success,
        };
        if (result.Interrupt is { } interrupt)
        {
            body["interrupt"] = ClientWire.CreateInterrupt(interrupt);     // our extension; a reference kernel ignores it
        }

        return ClientWire.Instruction(await client.CallObjectAsync(S, "ReportAgentResult", body, cancellationToken).ConfigureAwait(false));
    }

    public async Task<SessionState> GetSessionStateAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
        ClientWire.SessionState(await client.CallObjectAsync(
            S, "GetSessionState", new JsonObject { ["process_id"] = processId.Value }, cancellationToken).ConfigureAwait(false));
}

/// <summary>The <c>commbus</c> service over TCP.</summary>
internal sealed class TcpCommBusService(TcpKernelClient client) : ICommBusService
{
    private const string S = "commbus";

    public async Task<int> PublishAsync(string eventType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        JsonObject reply = await client.CallObjectAsync(S, "Publish", Message("event_type", eventType, payload, source), cancellationToken).ConfigureAwait(false);
        return ClientWire.I32(reply, "delivered");
    }

    public async Task SendAsync(string commandType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandType);
        _ = await client.CallObjectAsync(S, "Send", Message("command_type", commandType, payload, source), cancellationToken).ConfigureAwait(false);
    }

    /// <remarks>A negative <paramref name="timeout"/> is refused here, as in process (the wire reads it as the default).</remarks>
    public async Task<QueryResponse> QueryAsync(
        string queryType, JsonElement? payload = null, string source = "", TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queryType);
        JsonObject body = Message("query_type", queryType, payload, source);
        if (timeout is { } wait)
        {
            if (wait < TimeSpan.Zero)
            {
                throw new KernelException(
                    KernelErrorCode.InvalidArgument,
                    string.Create(CultureInfo.InvariantCulture, $"validation error: timeout_ms must be non-negative, got {(long)wait.TotalMilliseconds}"));
            }

            body["timeout_ms"] = (long)Math.Min(wait.TotalMilliseconds, int.MaxValue);
        }

        JsonObject reply = await client.CallObjectAsync(S, "Query", body, cancellationToken).ConfigureAwait(false);
        JsonNode? result = IpcFields.Get(reply, "result");
        return new QueryResponse(ClientWire.Bool(reply, "success"), result is null ? null : DispatchJson.ToElement(result), ClientWire.Str(reply, "error"));
    }

    /// <remarks>
    /// The subscription opens its own connection as soon as this method is called; the host registers it when the
    /// request arrives, so an event published by another connection right after the call can still be missed.
    /// </remarks>
    public IAsyncEnumerable<BusEvent> SubscribeAsync(IReadOnlyCollection<string> eventTypes, string? subscriberId = null, CancellationToken cancellationToken = default)
    {
        if (eventTypes is null || eventTypes.Count == 0)
        {
            throw new KernelException(KernelErrorCode.InvalidArgument, "validation error: event_types is required (non-empty array)");
        }

        int index = 0;
        foreach (string pattern in eventTypes)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                throw new KernelException(
                    KernelErrorCode.InvalidArgument, string.Create(CultureInfo.InvariantCulture, $"validation error: event_types[{index}] must be a non-empty string"));
            }

            index++;
        }

        var body = new JsonObject { ["event_types"] = IpcViews.Strings(eventTypes) };
        ClientWire.AddIfSet(body, "subscriber_id", string.IsNullOrEmpty(subscriberId) ? null : subscriberId);
        Task<(ClientConnection Connection, ChannelReader<JsonNode?> Chunks)> opening = client.OpenStreamAsync(S, "Subscribe", body, cancellationToken);
        return ReadAsync(opening, cancellationToken);
    }

    private async IAsyncEnumerable<BusEvent> ReadAsync(
        Task<(ClientConnection Connection, ChannelReader<JsonNode?> Chunks)> opening, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (ClientConnection connection, ChannelReader<JsonNode?> chunks) = await opening.ConfigureAwait(false);
        try
        {
            while (await chunks.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (chunks.TryRead(out JsonNode? chunk))
                {
                    if (chunk is JsonObject o)
                    {
                        yield return ClientWire.Event(o);
                    }
                }
            }
        }
        finally
        {
            await client.CloseStreamAsync(connection).ConfigureAwait(false);
        }
    }

    private static JsonObject Message(string typeKey, string type, JsonElement? payload, string source)
    {
        var body = new JsonObject { [typeKey] = type, ["source"] = source ?? string.Empty };
        if (payload is { } p)
        {
            body["payload"] = p.GetRawText();
        }

        return body;
    }
}
