namespace Jeeves;

/// <summary>
/// Represents the health of every known tool.
/// </summary>
/// <param name="Status">The worst graded status, or <see cref="HealthStatus.Unknown"/> when no tool is graded.</param>
/// <param name="ToolReports">One report per tool, sorted by tool name.</param>
/// <param name="Summary">How many tools have each status; every status is present.</param>
public sealed record SystemToolHealth(HealthStatus Status, IReadOnlyList<ToolHealthReport> ToolReports, IReadOnlyDictionary<HealthStatus, int> Summary);
