namespace Jeeves;

/// <summary>
/// Specifies the scheduling priority of a process; lower values run first. Within one priority, processes run
/// first-in first-out.
/// </summary>
public enum SchedulingPriority
{
    /// <summary>Runs before every other priority.</summary>
    Realtime = 0,

    /// <summary>Runs before normal work.</summary>
    High = 1,

    /// <summary>The default priority.</summary>
    Normal = 2,

    /// <summary>Runs after normal work.</summary>
    Low = 3,

    /// <summary>Runs only when nothing else is ready.</summary>
    Idle = 4,
}
