using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

/// <summary>A service known to the kernel (§9.1).</summary>
internal sealed record RegisteredService
{
    public required string Name { get; init; }

    public required string ServiceType { get; init; }

    public string Version { get; init; } = "1.0.0";

    public IReadOnlyList<string> Capabilities { get; init; } = [];

    public int MaxConcurrent { get; init; } = 10;

    public int CurrentLoad { get; init; }

    public HealthStatus Status { get; init; } = HealthStatus.Healthy;

    public DateTimeOffset LastHealthCheck { get; init; }

    public JsonObject? Metadata { get; init; }

    /// <summary>Healthy or degraded.</summary>
    public bool IsHealthy => Status is HealthStatus.Healthy or HealthStatus.Degraded;

    /// <summary>Exactly healthy and below capacity.</summary>
    public bool CanAccept => Status == HealthStatus.Healthy && CurrentLoad < MaxConcurrent;

    public double Utilization => MaxConcurrent <= 0 ? 0.0 : CurrentLoad * 100.0 / MaxConcurrent;
}
