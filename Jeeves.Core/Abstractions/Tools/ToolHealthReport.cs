namespace Jeeves;

/// <summary>
/// Represents the health of one tool over its recent executions.
/// </summary>
public sealed record ToolHealthReport
{
    /// <summary>Gets the tool name.</summary>
    public required string ToolName { get; init; }

    /// <summary>Gets the health grade; <see cref="HealthStatus.Unknown"/> until enough calls were recorded.</summary>
    public HealthStatus Status { get; init; }

    /// <summary>Gets the fraction of recorded executions that succeeded, in [0, 1].</summary>
    public double SuccessRate { get; init; }

    /// <summary>Gets the mean latency of the recorded executions, in milliseconds.</summary>
    public double AvgLatencyMs { get; init; }

    /// <summary>Gets the number of executions in the window.</summary>
    public int TotalCalls { get; init; }

    /// <summary>Gets the number of failures within the circuit-breaker window.</summary>
    public int RecentErrors { get; init; }

    /// <summary>Gets the reasons for the grade.</summary>
    public IReadOnlyList<string> Issues { get; init; } = [];

    /// <summary>Gets a value indicating whether the circuit is open: calls to the tool should be refused.</summary>
    public bool CircuitBroken { get; init; }
}
