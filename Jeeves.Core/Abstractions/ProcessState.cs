namespace Jeeves;

/// <summary>
/// Specifies the lifecycle state of a kernel process. On the wire the states are spelled in upper case
/// (<c>NEW</c>, <c>READY</c>, …).
/// </summary>
/// <remarks>
/// Legal moves: NEW→READY|TERMINATED; READY→RUNNING|TERMINATED; RUNNING→READY|WAITING|BLOCKED|TERMINATED;
/// WAITING→READY|TERMINATED; BLOCKED→READY|TERMINATED; TERMINATED→ZOMBIE. Nothing else, no self-transitions.
/// </remarks>
public enum ProcessState
{
    /// <summary>Created but not yet scheduled.</summary>
    New,

    /// <summary>Queued to run.</summary>
    Ready,

    /// <summary>Running.</summary>
    Running,

    /// <summary>Paused, waiting for an interrupt (a human) or I/O.</summary>
    Waiting,

    /// <summary>Paused, waiting for a resource.</summary>
    Blocked,

    /// <summary>Finished; kept until its retention expires.</summary>
    Terminated,

    /// <summary>Finished and collected; about to be removed.</summary>
    Zombie,
}
