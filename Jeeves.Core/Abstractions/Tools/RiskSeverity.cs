namespace Jeeves;

/// <summary>
/// Specifies how much harm a tool call can do. On the wire: <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>.
/// </summary>
public enum RiskSeverity
{
    /// <summary>Little harm.</summary>
    Low,

    /// <summary>Some harm.</summary>
    Medium,

    /// <summary>Serious harm; calls should be confirmed by a human.</summary>
    High,

    /// <summary>Severe harm; calls should be confirmed by a human.</summary>
    Critical,
}
