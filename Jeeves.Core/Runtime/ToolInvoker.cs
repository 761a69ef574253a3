using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Jeeves.Runtime;

/// <summary>
/// Calls a capability's tools the governed way (runtime spec §7, with its recommendations): the kernel's access grant, the
/// circuit breaker, defaults and validation from the kernel's catalog, a timeout, and the outcome recorded in tool health.
/// Never throws for a tool problem: every outcome is a result object with <c>status</c> and <c>execution_time_ms</c>.
/// </summary>
internal sealed partial class ToolInvoker
{
    private readonly IKernelClient _kernel;
    private readonly CapabilityDefinition _capability;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ToolInvoker(IKernelClient kernel, CapabilityDefinition capability, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        _kernel = kernel;
        _capability = capability;
        _timeout = timeout;
        _time = time;
        _logger = logger;
    }

    public async Task<JsonObject> InvokeAsync(AgentContext context, string toolId, JsonObject arguments, string? callId, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        string agent = context.Agent.Name;
        callId ??= RandomIds.NewHexId("call_", 12);
        context.ToolCalls++;

        JsonObject result = await InvokeCoreAsync(context, toolId, arguments, callId, started, cancellationToken).ConfigureAwait(false);
        if (context.Events.IsEnabled)
        {
            await context.Events.WriteAsync(new ToolCompleted(context.ProcessId, _time.GetUtcNow(), agent, toolId, callId, (JsonObject)result.DeepClone()), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<JsonObject> InvokeCoreAsync(AgentContext context, string toolId, JsonObject arguments, string callId, long started, CancellationToken cancellationToken)
    {
        string agent = context.Agent.Name;
        if (!_capability.Tools.TryGetValue(toolId, out CapabilityTool? tool))
        {
            return Failure("error", $"Unknown tool: {toolId}", "tool_not_found", started);
        }

        if (!context.Agent.Tools.Contains(toolId, StringComparer.Ordinal) || !await _kernel.Tools.CheckToolAccessAsync(agent, toolId, cancellationToken).ConfigureAwait(false))
        {
            Log.AccessRejected(_logger, agent, toolId);
            return Failure("rejected", $"Agent '{agent}' is not authorized to use tool '{toolId}'. Allowed tools: [{string.Join(", ", context.Agent.Tools)}]", "access_denied", started);
        }

        if (await _kernel.Tools.ShouldCircuitBreakAsync(toolId, cancellationToken).ConfigureAwait(false))
        {
            return Failure("error", $"Tool '{toolId}' is unavailable: its circuit is open after repeated failures", "circuit_open", started);
        }

        JsonObject filtered = DropNulls(arguments);
        JsonObject filled = await _kernel.Tools.FillDefaultsAsync(toolId, filtered, cancellationToken).ConfigureAwait(false) as JsonObject ?? filtered;
        ToolValidationResult validation = await _kernel.Tools.ValidateToolParamsAsync(toolId, filled, cancellationToken).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            Log.ValidationFailed(_logger, toolId, string.Join("; ", validation.Errors));
            JsonObject invalid = Failure("error", "Parameter validation failed: " + string.Join("; ", validation.Errors), "validation_error", started);
            invalid["validation_errors"] = new JsonArray([.. validation.Errors.Select(static e => JsonValue.Create(e))]);
            await RecordAsync(toolId, false, started, "validation_error", cancellationToken).ConfigureAwait(false);
            return invalid;
        }

        if (context.Events.IsEnabled)
        {
            await context.Events.WriteAsync(new ToolStarted(context.ProcessId, _time.GetUtcNow(), agent, toolId, callId, (JsonObject)filled.DeepClone()), cancellationToken).ConfigureAwait(false);
        }

        JsonObject result;
        using (var timeout = new CancellationTokenSource(_timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                JsonObject raw = await tool.Handler(filled, linked.Token).ConfigureAwait(false) ?? [];
                result = Normalize(raw, ElapsedMs(started));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await RecordAsync(toolId, false, started, "cancelled", CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = Failure("error", string.Create(CultureInfo.InvariantCulture, $"Tool '{toolId}' timed out after {_timeout.TotalSeconds:0.###}s"), "timeout", started);
            }
#pragma warning disable CA1031 // A tool's failure is reported as a result, whatever it throws (runtime spec §7.1).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ToolFailed(_logger, toolId, ex);
                result = Failure("error", ex.Message.Length > 0 ? ex.Message : ex.GetType().Name, ex.GetType().Name, started);
            }
        }

        bool success = result["status"]?.GetValue<string>() is "success" or "partial" or "not_found";
        await RecordAsync(toolId, success, started, success ? null : result["error_type"]?.GetValue<string>(), cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Drops null-valued arguments so the catalog's defaults apply; keeps empty strings, zero and false.</summary>
    internal static JsonObject DropNulls(JsonObject arguments)
    {
        var filtered = new JsonObject();
        foreach ((string key, JsonNode? value) in arguments)
        {
            if (value is not null && value.GetValueKind() != JsonValueKind.Null)
            {
                filtered[key] = value.DeepClone();
            }
        }

        return filtered;
    }

    /// <summary>Normalises a tool's raw result by its <c>status</c> (runtime spec §7.1 step 5).</summary>
    internal static JsonObject Normalize(JsonObject raw, long elapsedMs)
    {
        string status = raw["status"] is JsonValue s && s.TryGetValue(out string? text) ? text : "success";
        switch (status)
        {
            case "error":
                string error = raw["error"] is JsonValue e && e.TryGetValue(out string? message) && message.Length > 0 ? message : "Unknown error";
                return new JsonObject { ["status"] = "error", ["error"] = error, ["error_type"] = "tool_error", ["execution_time_ms"] = elapsedMs };
            case "not_found" or "partial":
                string note = raw["message"] is JsonValue m && m.TryGetValue(out string? msg) && msg.Length > 0 ? msg : $"Tool returned {status}";
                return new JsonObject { ["status"] = status, ["data"] = raw.DeepClone(), ["message"] = note, ["execution_time_ms"] = elapsedMs };
            default:
                return new JsonObject { ["status"] = "success", ["data"] = raw.DeepClone(), ["execution_time_ms"] = elapsedMs };
        }
    }

    private JsonObject Failure(string status, string error, string errorType, long started) =>
        new() { ["status"] = status, ["error"] = error, ["error_type"] = errorType, ["execution_time_ms"] = ElapsedMs(started) };

    private long ElapsedMs(long started) => Math.Max(0, (long)_time.GetElapsedTime(started).TotalMilliseconds);

    private async Task RecordAsync(string toolId, bool success, long started, string? errorType, CancellationToken cancellationToken)
    {
        try
        {
            await _kernel.Tools.RecordToolExecutionAsync(toolId, success, _time.GetElapsedTime(started), errorType, cancellationToken).ConfigureAwait(false);
        }
        catch (KernelException ex)
        {
            Log.RecordFailed(_logger, toolId, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "tool_access_rejected", Level = LogLevel.Warning, Message = "Agent {Agent} may not use tool {Tool}")]
        public static partial void AccessRejected(ILogger logger, string agent, string tool);

        [LoggerMessage(EventId = 3002, EventName = "tool_parameter_validation_failed", Level = LogLevel.Warning, Message = "Tool {Tool} arguments are not valid: {Errors}")]
        public static partial void ValidationFailed(ILogger logger, string tool, string errors);

        [LoggerMessage(EventId = 3003, EventName = "tool_execution_error", Level = LogLevel.Error, Message = "Tool {Tool} failed")]
        public static partial void ToolFailed(ILogger logger, string tool, Exception exception);

        [LoggerMessage(EventId = 3004, EventName = "tool_health_record_failed", Level = LogLevel.Debug, Message = "Could not record the outcome of tool {Tool}")]
        public static partial void RecordFailed(ILogger logger, string tool, Exception exception);
    }
}
