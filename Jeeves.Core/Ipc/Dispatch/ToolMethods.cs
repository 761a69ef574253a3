using System.Globalization;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>The <c>tools</c> service (ipc.md §6.5), with our semantics where COMPATIBILITY.md differs.</summary>
internal static class ToolMethods
{
    private const string Service = "tools";

    /// <summary>The longest latency a <see cref="TimeSpan"/> holds, in whole milliseconds.</summary>
    private static readonly long s_maxLatencyMs = (long)TimeSpan.MaxValue.TotalMilliseconds;

    public static void Register(IpcMethodTable table)
    {
        table.Add(Service, "RegisterTool", RegisterToolAsync);
        table.Add(Service, "GetToolEntry", GetToolEntryAsync);
        table.Add(Service, "ListTools", ListToolsAsync);
        table.Add(Service, "ValidateToolParams", ValidateToolParamsAsync);
        table.Add(Service, "FillDefaults", FillDefaultsAsync);
        table.Add(Service, "GenerateToolPrompt", GenerateToolPromptAsync);
        table.Add(Service, "GrantToolAccess", GrantToolAccessAsync);
        table.Add(Service, "RevokeToolAccess", RevokeToolAccessAsync);
        table.Add(Service, "CheckToolAccess", CheckToolAccessAsync);
        table.Add(Service, "GetAgentTools", GetAgentToolsAsync);
        table.Add(Service, "RecordToolExecution", RecordToolExecutionAsync);
        table.Add(Service, "CheckToolHealth", CheckToolHealthAsync);
        table.Add(Service, "GetSystemToolHealth", GetSystemToolHealthAsync);
        table.Add(Service, "ShouldCircuitBreak", ShouldCircuitBreakAsync);
        table.Add(Service, "GetErrorPatterns", GetErrorPatternsAsync);
    }

    /// <summary>The body is the entry; an existing id is replaced, as the reference does over the wire.</summary>
    private static async ValueTask<JsonNode> RegisterToolAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        ToolEntry entry = IpcSchemas.ReadToolEntry(body);
        await client.Tools.RegisterToolAsync(entry, replaceExisting: true, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["registered"] = true };
    }

    private static async ValueTask<JsonNode> GetToolEntryAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "tool_id");
        ToolEntry entry = await client.Tools.GetToolEntryAsync(id, cancellationToken).ConfigureAwait(false) ?? throw UnknownTool(id);
        return IpcViews.Tool(entry);
    }

    private static async ValueTask<JsonNode> ListToolsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        IReadOnlyList<ToolEntry> tools = await client.Tools.ListToolsAsync(cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (ToolEntry tool in tools.OrderBy(static t => t.Id, StringComparer.Ordinal))
        {
            list.Add((JsonNode)IpcViews.Tool(tool));
        }

        return new JsonObject { ["count"] = list.Count, ["tools"] = list };
    }

    private static async ValueTask<JsonNode> ValidateToolParamsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "tool_id");
        ToolValidationResult result = await client.Tools.ValidateToolParamsAsync(id, Params(body), cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["errors"] = IpcViews.Strings(result.Errors), ["valid"] = result.IsValid };
    }

    private static async ValueTask<JsonNode> FillDefaultsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string id = IpcFields.RequireString(body, "tool_id");
        JsonNode? filled = await client.Tools.FillDefaultsAsync(id, Params(body), cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["params"] = DispatchJson.Copy(filled) };
    }

    private static async ValueTask<JsonNode> GenerateToolPromptAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        List<string>? allowed = IpcFields.OptionalArray(body, "allowed_tools") is { } array ? IpcFields.Strings(array) : null;
        string prompt = await client.Tools.GenerateToolPromptAsync(allowed, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["prompt"] = prompt };
    }

    /// <summary><c>tool_count</c> counts the string ids supplied, duplicates included, as the reference does.</summary>
    private static async ValueTask<JsonNode> GrantToolAccessAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string agent = IpcFields.RequireString(body, "agent_name");
        List<string> ids = IpcFields.OptionalArray(body, "tool_ids") is { } array ? IpcFields.Strings(array) : [];
        await client.Tools.GrantToolAccessAsync(agent, ids, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["agent_name"] = agent, ["granted"] = true, ["tool_count"] = ids.Count };
    }

    private static async ValueTask<JsonNode> RevokeToolAccessAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string agent = IpcFields.RequireString(body, "agent_name");
        string id = IpcFields.RequireString(body, "tool_id");
        await client.Tools.RevokeToolAccessAsync(agent, id, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["revoked"] = true };
    }

    private static async ValueTask<JsonNode> CheckToolAccessAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string agent = IpcFields.RequireString(body, "agent_name");
        string id = IpcFields.RequireString(body, "tool_id");
        bool allowed = await client.Tools.CheckToolAccessAsync(agent, id, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["allowed"] = allowed };
    }

    private static async ValueTask<JsonNode> GetAgentToolsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string agent = IpcFields.RequireString(body, "agent_name");
        IReadOnlyList<string> ids = await client.Tools.GetAgentToolsAsync(agent, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["agent_name"] = agent, ["tool_ids"] = IpcViews.Strings(ids.Order(StringComparer.Ordinal)) };
    }

    /// <summary>
    /// A latency that is not an integer reads as 0, as in the reference; a negative one (and an empty tool name) is
    /// refused (COMPATIBILITY.md, tools).
    /// </summary>
    private static async ValueTask<JsonNode> RecordToolExecutionAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string tool = IpcFields.RequireString(body, "tool_name");
        bool success = IpcFields.OptionalBool(body, "success", defaultValue: true);
        long latencyMs = IpcFields.OptionalInt64(body, "latency_ms") ?? 0;
        if (latencyMs > s_maxLatencyMs)
        {
            throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"latency_ms value {latencyMs} is too large"));
        }

        string? errorType = IpcFields.OptionalString(body, "error_type");
        TimeSpan latency = TimeSpan.FromMilliseconds(Math.Max(latencyMs, -s_maxLatencyMs));
        await client.Tools.RecordToolExecutionAsync(tool, success, latency, errorType, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["recorded"] = true };
    }

    private static async ValueTask<JsonNode> CheckToolHealthAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string tool = IpcFields.RequireString(body, "tool_name");
        return IpcViews.ToolHealth(await client.Tools.CheckToolHealthAsync(tool, cancellationToken).ConfigureAwait(false));
    }

    private static async ValueTask<JsonNode> GetSystemToolHealthAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken) =>
        IpcViews.SystemToolHealth(await client.Tools.GetSystemToolHealthAsync(cancellationToken).ConfigureAwait(false));

    private static async ValueTask<JsonNode> ShouldCircuitBreakAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string tool = IpcFields.RequireString(body, "tool_name");
        bool broken = await client.Tools.ShouldCircuitBreakAsync(tool, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["circuit_broken"] = broken };
    }

    private static async ValueTask<JsonNode> GetErrorPatternsAsync(IKernelClient client, JsonObject body, CancellationToken cancellationToken)
    {
        string tool = IpcFields.RequireString(body, "tool_name");
        IReadOnlyList<ToolErrorPattern> patterns = await client.Tools.GetErrorPatternsAsync(tool, cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (ToolErrorPattern pattern in patterns)
        {
            list.Add((JsonNode)new JsonObject { ["count"] = pattern.Count, ["error_type"] = pattern.ErrorType });
        }

        return new JsonObject { ["patterns"] = list, ["tool_name"] = tool };
    }

    /// <summary>The call's <c>params</c>: <c>{}</c> when absent, otherwise a copy of whatever was sent.</summary>
    private static JsonNode Params(JsonObject body) => IpcFields.Get(body, "params")?.DeepClone() ?? new JsonObject();

    private static KernelException UnknownTool(string id) => KernelErrors.NotFound("Unknown tool: " + id);
}
