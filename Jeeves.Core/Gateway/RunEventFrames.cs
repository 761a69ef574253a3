using System.Text.Json.Nodes;
using Jeeves.Runtime;

namespace Jeeves.Gateway;

/// <summary>
/// Turns a run's events into the gateway's server-sent events (spec §2.9): a fixed event name per kind of event, and a
/// JSON payload that always carries <c>request_id</c>, <c>session_id</c> and <c>timestamp_ms</c>.
/// </summary>
public static class RunEventFrames
{
    /// <summary>The event of a model's streamed text.</summary>
    public const string Token = "token";

    /// <summary>The terminal event of a run the kernel ended.</summary>
    public const string ResponseReady = "response_ready";

    /// <summary>Converts one run event.</summary>
    /// <param name="runEvent">The event.</param>
    /// <param name="requestId">The request id.</param>
    /// <param name="sessionId">The session id.</param>
    /// <returns>The server-sent event; terminal for <see cref="RunCompleted"/> and <see cref="RunFailed"/>.</returns>
    /// <remarks>Failure details are never sent: a <see cref="RunFailed"/> becomes <c>{"error": "Internal server error"}</c>.</remarks>
    public static ServerSentEvent ToServerSentEvent(RunEvent runEvent, string requestId, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        (string name, JsonObject payload) = runEvent switch
        {
            RunStarted e => ("orchestrator.started", new JsonObject { ["pipeline"] = e.Pipeline, ["process_id"] = e.ProcessId.Value }),
            AgentStarted e => ("agent.started", new JsonObject { ["agent"] = e.Agent, ["stage"] = e.Stage }),
            TokenDelta e => (Token, new JsonObject { ["agent"] = e.Agent, ["text"] = e.Text }),
            ToolStarted e => ("tool.started", new JsonObject { ["agent"] = e.Agent, ["tool_name"] = e.Tool, ["call_id"] = e.CallId }),
            ToolCompleted e => ("tool.completed", new JsonObject
            {
                ["agent"] = e.Agent, ["tool_name"] = e.Tool, ["call_id"] = e.CallId, ["status"] = e.Result["status"]?.DeepClone(),
            }),
            AgentCompleted e => ("agent.completed", new JsonObject { ["agent"] = e.Agent, ["status"] = e.Success ? "success" : "error" }),
            InterruptRaised e => (WireNames.ToWire(e.Interrupt.Kind), Interrupt(e.Interrupt)),
            InterruptEnded e => ("interrupt.ended", new JsonObject
            {
                ["interrupt_id"] = e.Interrupt.Id, ["kind"] = WireNames.ToWire(e.Interrupt.Kind), ["status"] = WireNames.ToWire(e.Interrupt.Status),
            }),
            RunCompleted e => (ResponseReady, Completed(e.Result)),
            RunFailed => (ServerSentEvent.ErrorName, new JsonObject { ["error"] = GatewayText.InternalError }),
            _ => ("unknown", new JsonObject()),
        };

        payload["request_id"] = requestId;
        payload["session_id"] = sessionId;
        payload["timestamp_ms"] = runEvent.Timestamp.ToUnixTimeMilliseconds();
        return new ServerSentEvent(name, payload.ToJsonString(), runEvent.IsTerminal);
    }

    /// <summary>Writes an interrupt view as the JSON the HTTP API shows.</summary>
    /// <param name="view">The view.</param>
    /// <returns>The JSON object, with snake_case keys.</returns>
    public static JsonObject ToJson(InterruptView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new JsonObject
        {
            ["id"] = view.Id,
            ["kind"] = view.Kind,
            ["request_id"] = view.RequestId,
            ["user_id"] = view.UserId,
            ["session_id"] = view.SessionId,
            ["envelope_id"] = view.EnvelopeId,
            ["question"] = view.Question,
            ["message"] = view.Message,
            ["data"] = view.Data?.DeepClone(),
            ["status"] = view.Status,
            ["created_at"] = view.CreatedAt,
            ["expires_at"] = view.ExpiresAt,
            ["resolved_at"] = view.ResolvedAt,
        };
    }

    private static JsonObject Interrupt(KernelInterrupt interrupt) => new()
    {
        ["interrupt_id"] = interrupt.Id,
        ["kind"] = WireNames.ToWire(interrupt.Kind),
        ["question"] = interrupt.Question,
        ["message"] = interrupt.Message,
        ["interrupt"] = ToJson(InterruptView.From(interrupt)),
    };

    private static JsonObject Completed(RunResult result) => new()
    {
        ["status"] = result.IsCompleted ? "completed" : "terminated",
        ["terminal_reason"] = result.TerminalReason is { } r ? WireNames.ToWire(r) : null,
        ["response"] = result.Response,
        ["usage"] = new JsonObject
        {
            ["agent_runs"] = result.Usage.AgentRuns,
            ["llm_calls"] = result.Usage.LlmCalls,
            ["tool_calls"] = result.Usage.ToolCalls,
            ["tokens_in"] = result.Usage.TokensIn,
            ["tokens_out"] = result.Usage.TokensOut,
        },
    };
}
