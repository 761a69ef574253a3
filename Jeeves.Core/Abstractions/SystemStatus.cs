namespace Jeeves;

/// <summary>
/// Represents an overview of the kernel.
/// </summary>
public sealed record SystemStatus
{
    /// <summary>Gets the process counts.</summary>
    public required ProcessCounts Processes { get; init; }

    /// <summary>Gets the number of registered services whose status is exactly healthy.</summary>
    public int ServicesHealthy { get; init; }

    /// <summary>Gets the number of registered services that are degraded.</summary>
    public int ServicesDegraded { get; init; }

    /// <summary>Gets the number of registered services that are unhealthy.</summary>
    public int ServicesUnhealthy { get; init; }

    /// <summary>Gets the number of live orchestration sessions.</summary>
    public int ActiveOrchestrationSessions { get; init; }

    /// <summary>Gets the number of pending interrupts.</summary>
    public int PendingInterrupts { get; init; }

    /// <summary>Gets the message bus counters.</summary>
    public CommBusStatistics CommBus { get; init; } = CommBusStatistics.Empty;
}
