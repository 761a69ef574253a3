namespace Jeeves;

/// <summary>
/// Specifies the health of a registered service or a tool. On the wire: <c>healthy</c>, <c>degraded</c>, <c>unhealthy</c>,
/// <c>unknown</c>.
/// </summary>
public enum HealthStatus
{
    /// <summary>Working normally and accepting work.</summary>
    Healthy,

    /// <summary>Working, but not accepting new work.</summary>
    Degraded,

    /// <summary>Not working.</summary>
    Unhealthy,

    /// <summary>Not yet assessed.</summary>
    Unknown,
}
