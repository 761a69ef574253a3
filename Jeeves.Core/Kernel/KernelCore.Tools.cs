using System.Text.Json.Nodes;
using Jeeves.Kernel.Tools;

namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    public ToolRegistration RegisterTool(ToolEntry entry, bool replaceExisting = false) => _toolCatalog.Register(entry, replaceExisting);

    public ToolEntry? GetToolEntry(string toolId)
    {
        ArgumentNullException.ThrowIfNull(toolId);
        return _toolCatalog.Get(toolId);
    }

    public IReadOnlyList<ToolEntry> ListTools() => _toolCatalog.List();

    public ToolValidationResult ValidateToolParams(string toolId, JsonNode? parameters) =>
        new(_toolCatalog.Validate(toolId, parameters));

    public JsonNode? FillToolDefaults(string toolId, JsonNode? parameters) => _toolCatalog.FillDefaults(toolId, parameters);

    public string GenerateToolPrompt(IReadOnlyList<string>? allowedTools = null) => _toolCatalog.GeneratePrompt(allowedTools);

    public void GrantToolAccess(string agentName, IReadOnlyCollection<string> toolIds)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolIds);
        if (toolIds.Any(static t => t is null))
        {
            throw KernelErrors.Validation("tool_ids must not contain null");
        }

        _toolAccess.Grant(agentName, toolIds);
    }

    public void RevokeToolAccess(string agentName, string toolId)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        _toolAccess.Revoke(agentName, toolId);
    }

    public bool CheckToolAccess(string agentName, string toolId)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        ArgumentNullException.ThrowIfNull(toolId);
        return _toolAccess.Check(agentName, toolId);
    }

    public IReadOnlyList<string> GetAgentTools(string agentName)
    {
        ArgumentNullException.ThrowIfNull(agentName);
        return _toolAccess.ToolsFor(agentName);
    }

    public void RecordToolExecution(string toolName, bool success, TimeSpan latency, string? errorType = null)
    {
        if (string.IsNullOrEmpty(toolName))
        {
            throw KernelErrors.Validation("Missing required field: tool_name");
        }

        if (latency < TimeSpan.Zero)
        {
            throw KernelErrors.Validation($"latency_ms must be non-negative, got {latency.TotalMilliseconds}");
        }

        _toolHealth.Record(toolName, success, (long)latency.TotalMilliseconds, errorType);
    }

    public ToolHealthReport CheckToolHealth(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return _toolHealth.Report(toolName);
    }

    public SystemToolHealth GetSystemToolHealth() => _toolHealth.SystemHealth(_toolCatalog.List().Select(static t => t.Id));

    public bool ShouldCircuitBreak(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return _toolHealth.ShouldCircuitBreak(toolName);
    }

    public IReadOnlyList<ToolErrorPattern> GetToolErrorPatterns(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        return _toolHealth.ErrorPatterns(toolName);
    }
}
