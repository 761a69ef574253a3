namespace Jeeves.Gateway;

/// <summary>
/// Represents one tool's health in a summary (<c>ToolHealthBrief</c>).
/// </summary>
/// <param name="ToolName">The tool.</param>
/// <param name="Status"><c>healthy</c>, <c>degraded</c>, <c>unhealthy</c> or <c>unknown</c>.</param>
/// <param name="SuccessRate">The fraction of recent executions that succeeded, in [0, 1].</param>
/// <param name="LastUsed">When the tool was last used, or <see langword="null"/> when the kernel does not say.</param>
public sealed record ToolHealthBrief(string ToolName, string Status, double SuccessRate, string? LastUsed);

/// <summary>
/// Represents the health of every known tool (<c>HealthSummaryResponse</c>).
/// </summary>
/// <param name="OverallStatus"><c>unhealthy</c> if any tool is, else <c>degraded</c> if any tool is, else <c>healthy</c>
/// (tools without enough history do not count).</param>
/// <param name="TotalTools">How many tools are listed.</param>
/// <param name="HealthyTools">How many are healthy.</param>
/// <param name="DegradedTools">How many are degraded.</param>
/// <param name="UnhealthyTools">How many are unhealthy.</param>
/// <param name="Tools">One entry per tool, sorted by name.</param>
public sealed record HealthSummary(string OverallStatus, int TotalTools, int HealthyTools, int DegradedTools, int UnhealthyTools, IReadOnlyList<ToolHealthBrief> Tools);

/// <summary>
/// Represents one tool's health in detail (<c>ToolHealthResponse</c>).
/// </summary>
/// <param name="ToolName">The tool.</param>
/// <param name="Status"><c>healthy</c>, <c>degraded</c>, <c>unhealthy</c> or <c>unknown</c>.</param>
/// <param name="TotalCalls">The executions in the health window.</param>
/// <param name="SuccessfulCalls">How many of them succeeded.</param>
/// <param name="FailedCalls">How many of them failed.</param>
/// <param name="SuccessRate">The fraction that succeeded, in [0, 1].</param>
/// <param name="AvgLatencyMs">The mean latency, in milliseconds.</param>
/// <param name="LastSuccess">When the tool last succeeded, or <see langword="null"/> when the kernel does not say.</param>
/// <param name="LastFailure">When the tool last failed, or <see langword="null"/> when the kernel does not say.</param>
/// <param name="LastError">The most frequent recent error type, or <see langword="null"/>.</param>
/// <param name="RecentErrors">The failures within the circuit-breaker window.</param>
/// <param name="CircuitBroken">Whether calls to the tool are being refused.</param>
/// <param name="Issues">The reasons for the grade.</param>
public sealed record ToolHealthDetail(
    string ToolName,
    string Status,
    int TotalCalls,
    int SuccessfulCalls,
    int FailedCalls,
    double SuccessRate,
    double AvgLatencyMs,
    string? LastSuccess,
    string? LastFailure,
    string? LastError,
    int RecentErrors,
    bool CircuitBroken,
    IReadOnlyList<string> Issues);

/// <summary>
/// Represents an agent on the governance dashboard.
/// </summary>
/// <param name="Name">The agent's name.</param>
/// <param name="Description">What it does.</param>
/// <param name="Status">Its status, usually <c>active</c>.</param>
/// <param name="Layer">The layer or capability it belongs to.</param>
public sealed record AgentView(string Name, string Description, string Status, string Layer);

/// <summary>
/// Represents a memory layer on the governance dashboard.
/// </summary>
/// <param name="Name">The layer's name.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Status"><c>active</c>, <c>degraded</c>, <c>inactive</c> or <c>unknown</c>.</param>
/// <param name="Backend">Where it is kept.</param>
public sealed record MemoryLayerView(string Name, string Description, string Status, string Backend);

/// <summary>
/// Represents the configuration shown on the governance dashboard.
/// </summary>
/// <param name="LlmProvider">The LLM provider.</param>
/// <param name="DatabaseBackend">The database backend.</param>
/// <param name="LogLevel">The log level.</param>
public sealed record GovernanceConfig(string LlmProvider, string DatabaseBackend, string LogLevel);

/// <summary>
/// Represents the governance dashboard (<c>DashboardResponse</c>).
/// </summary>
/// <param name="Tools">Every known tool's health.</param>
/// <param name="Agents">The agents.</param>
/// <param name="MemoryLayers">The memory layers.</param>
/// <param name="Config">The configuration.</param>
public sealed record GovernanceDashboard(IReadOnlyList<ToolHealthBrief> Tools, IReadOnlyList<AgentView> Agents, IReadOnlyList<MemoryLayerView> MemoryLayers, GovernanceConfig Config);

/// <summary>
/// Configures what the governance dashboard shows besides tool health.
/// </summary>
public sealed class GovernanceOptions
{
    /// <summary>Gets or sets the LLM provider shown.</summary>
    /// <value>The default value is <c>mock</c>.</value>
    public string LlmProvider { get; set; } = "mock";

    /// <summary>Gets or sets the database backend shown.</summary>
    /// <value>The default value is <c>in_memory</c>.</value>
    public string DatabaseBackend { get; set; } = "in_memory";

    /// <summary>Gets or sets the log level shown.</summary>
    /// <value>The default value is <c>INFO</c>.</value>
    public string LogLevel { get; set; } = "INFO";

    /// <summary>Gets the agents shown.</summary>
    public IList<AgentView> Agents { get; } = [];

    /// <summary>Gets the memory layers shown.</summary>
    public IList<MemoryLayerView> MemoryLayers { get; } = [];
}
