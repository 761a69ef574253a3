using System.Text.Json.Nodes;

namespace Jeeves.Actor;

/// <summary>The <c>tools</c> service over the kernel actor. JSON arguments are copied before they cross into the kernel.</summary>
internal sealed class InProcessToolService(KernelActor actor) : IToolService
{
    public Task<ToolRegistration> RegisterToolAsync(ToolEntry entry, bool replaceExisting = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ToolEntry copy = entry with
        {
            Parameters = entry.Parameters?.Select(static p => p with { Default = p.Default?.DeepClone() }).ToArray()!,
        };
        return actor.InvokeAsync("RegisterTool", static (k, s) => k.RegisterTool(s.copy, s.replaceExisting), (copy, replaceExisting), cancellationToken);
    }

    public Task<ToolEntry?> GetToolEntryAsync(string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return actor.InvokeAsync("GetToolEntry", static (k, id) => k.GetToolEntry(id), toolId, cancellationToken);
    }

    public Task<IReadOnlyList<ToolEntry>> ListToolsAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("ListTools", static (k, _) => k.ListTools(), 0, cancellationToken);

    public Task<ToolValidationResult> ValidateToolParamsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return actor.InvokeAsync("ValidateToolParams", static (k, s) => k.ValidateToolParams(s.toolId, s.copy), (toolId, copy: parameters?.DeepClone()), cancellationToken);
    }

    public Task<JsonNode?> FillDefaultsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return actor.InvokeAsync("FillDefaults", static (k, s) => k.FillToolDefaults(s.toolId, s.copy), (toolId, copy: parameters?.DeepClone()), cancellationToken);
    }

    public Task<string> GenerateToolPromptAsync(IReadOnlyList<string>? allowedTools = null, CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GenerateToolPrompt", static (k, t) => k.GenerateToolPrompt(t), allowedTools?.ToArray(), cancellationToken);

    public Task GrantToolAccessAsync(string agentName, IReadOnlyCollection<string> toolIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolIds);
        return actor.InvokeAsync("GrantToolAccess", static (k, s) =>
        {
            k.GrantToolAccess(s.agentName, s.copy);
            return true;
        }, (agentName, copy: toolIds.ToArray()), cancellationToken);
    }

    public Task RevokeToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        return actor.InvokeAsync("RevokeToolAccess", static (k, s) =>
        {
            k.RevokeToolAccess(s.agentName, s.toolId);
            return true;
        }, (agentName, toolId), cancellationToken);
    }

    public Task<bool> CheckToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        return actor.InvokeAsync("CheckToolAccess", static (k, s) => k.CheckToolAccess(s.agentName, s.toolId), (agentName, toolId), cancellationToken);
    }

    public Task<IReadOnlyList<string>> GetAgentToolsAsync(string agentName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        return actor.InvokeAsync("GetAgentTools", static (k, a) => k.GetAgentTools(a), agentName, cancellationToken);
    }

    public Task RecordToolExecutionAsync(string toolName, bool success, TimeSpan latency, string? errorType = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return actor.InvokeAsync("RecordToolExecution", static (k, s) =>
        {
            k.RecordToolExecution(s.toolName, s.success, s.latency, s.errorType);
            return true;
        }, (toolName, success, latency, errorType), cancellationToken);
    }

    public Task<ToolHealthReport> CheckToolHealthAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return actor.InvokeAsync("CheckToolHealth", static (k, t) => k.CheckToolHealth(t), toolName, cancellationToken);
    }

    public Task<SystemToolHealth> GetSystemToolHealthAsync(CancellationToken cancellationToken = default) =>
        actor.InvokeAsync("GetSystemToolHealth", static (k, _) => k.GetSystemToolHealth(), 0, cancellationToken);

    public Task<bool> ShouldCircuitBreakAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return actor.InvokeAsync("ShouldCircuitBreak", static (k, t) => k.ShouldCircuitBreak(t), toolName, cancellationToken);
    }

    public Task<IReadOnlyList<ToolErrorPattern>> GetErrorPatternsAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return actor.InvokeAsync("GetErrorPatterns", static (k, t) => k.GetToolErrorPatterns(t), toolName, cancellationToken);
    }
}
