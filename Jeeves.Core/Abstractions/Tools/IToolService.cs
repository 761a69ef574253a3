using System.Text.Json.Nodes;

namespace Jeeves;

/// <summary>
/// Governs tools: the catalog and parameter validation, per-agent access, and execution health with circuit
/// breaking. This is the <c>tools</c> service of the wire protocol.
/// </summary>
public interface IToolService
{
    /// <summary>Adds a tool to the catalog.</summary>
    /// <param name="entry">The tool.</param>
    /// <param name="replaceExisting"><see langword="true"/> to replace a different entry with the same id; <see langword="false"/> to refuse it.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>What the registration did. Registering an identical entry again is <see cref="ToolRegistration.Unchanged"/>.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/> for an empty id or a malformed parameter list;
    /// <see cref="KernelErrorCode.AlreadyExists"/> when a different entry has the id and <paramref name="replaceExisting"/> is not set.</exception>
    Task<ToolRegistration> RegisterToolAsync(ToolEntry entry, bool replaceExisting = false, CancellationToken cancellationToken = default);

    /// <summary>Gets a tool's entry.</summary>
    /// <param name="toolId">The tool id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The entry, or <see langword="null"/> when unknown.</returns>
    Task<ToolEntry?> GetToolEntryAsync(string toolId, CancellationToken cancellationToken = default);

    /// <summary>Lists the catalog, sorted by id.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<ToolEntry>> ListToolsAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks a call's parameters against the tool's declaration and reports every problem.</summary>
    /// <param name="toolId">The tool id.</param>
    /// <param name="parameters">The call's parameters; must be a JSON object.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The problems found; none when valid.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> for an unknown tool; <see cref="KernelErrorCode.InvalidArgument"/> when <paramref name="parameters"/> is not an object.</exception>
    Task<ToolValidationResult> ValidateToolParamsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default);

    /// <summary>Adds the declared default of every omitted parameter; supplied values, null included, are never changed.</summary>
    /// <param name="toolId">The tool id.</param>
    /// <param name="parameters">The call's parameters; a value that is not an object is returned unchanged.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A new JSON value with the defaults filled in; the argument is not modified.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.NotFound"/> for an unknown tool.</exception>
    Task<JsonNode?> FillDefaultsAsync(string toolId, JsonNode? parameters, CancellationToken cancellationToken = default);

    /// <summary>Writes the prompt text that lists tools for an LLM.</summary>
    /// <param name="allowedTools">The tools to list, in this order (unknown ids skipped), or <see langword="null"/> for every tool sorted by id.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><c>Available tools:</c> and one line per tool, or the empty string when there are none.</returns>
    Task<string> GenerateToolPromptAsync(IReadOnlyList<string>? allowedTools = null, CancellationToken cancellationToken = default);

    /// <summary>Allows an agent to use tools; grants add up.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="toolIds">The tools.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the grant is recorded.</returns>
    Task GrantToolAccessAsync(string agentName, IReadOnlyCollection<string> toolIds, CancellationToken cancellationToken = default);

    /// <summary>Withdraws an agent's access to a tool; nothing happens when it had none.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="toolId">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the access is withdrawn.</returns>
    Task RevokeToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default);

    /// <summary>Checks whether an agent may use a tool. Access is denied unless granted.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="toolId">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when granted.</returns>
    Task<bool> CheckToolAccessAsync(string agentName, string toolId, CancellationToken cancellationToken = default);

    /// <summary>Lists the tools an agent may use, sorted.</summary>
    /// <param name="agentName">The agent.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The tool ids.</returns>
    Task<IReadOnlyList<string>> GetAgentToolsAsync(string agentName, CancellationToken cancellationToken = default);

    /// <summary>Records one execution of a tool in its health window.</summary>
    /// <param name="toolName">The tool; it need not be in the catalog.</param>
    /// <param name="success">Whether the execution succeeded.</param>
    /// <param name="latency">How long it took.</param>
    /// <param name="errorType">The kind of failure, for error patterns; ignored on success.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>A task that completes when the execution is recorded.</returns>
    /// <exception cref="KernelException"><see cref="KernelErrorCode.InvalidArgument"/> for an empty name or a negative latency.</exception>
    Task RecordToolExecutionAsync(string toolName, bool success, TimeSpan latency, string? errorType = null, CancellationToken cancellationToken = default);

    /// <summary>Grades one tool's health.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The report; <see cref="HealthStatus.Unknown"/> without enough history.</returns>
    Task<ToolHealthReport> CheckToolHealthAsync(string toolName, CancellationToken cancellationToken = default);

    /// <summary>Grades every tool in the catalog or with recorded executions.</summary>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The reports and their summary.</returns>
    Task<SystemToolHealth> GetSystemToolHealthAsync(CancellationToken cancellationToken = default);

    /// <summary>Checks whether a tool's circuit is open: too many failures within the window.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns><see langword="true"/> when calls to the tool should be refused.</returns>
    Task<bool> ShouldCircuitBreakAsync(string toolName, CancellationToken cancellationToken = default);

    /// <summary>Counts a tool's failures by error type.</summary>
    /// <param name="toolName">The tool.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The patterns, most frequent first, ties by error type.</returns>
    Task<IReadOnlyList<ToolErrorPattern>> GetErrorPatternsAsync(string toolName, CancellationToken cancellationToken = default);
}
