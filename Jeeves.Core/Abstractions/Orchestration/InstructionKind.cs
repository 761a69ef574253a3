namespace Jeeves;

/// <summary>
/// Specifies what the kernel tells a worker to do next. On the wire: <c>RUN_AGENT</c>, <c>TERMINATE</c>,
/// <c>WAIT_INTERRUPT</c>.
/// </summary>
public enum InstructionKind
{
    /// <summary>Run the named agent, then report its result.</summary>
    RunAgent,

    /// <summary>Stop: the run is over.</summary>
    Terminate,

    /// <summary>Wait: the run is paused until its interrupt is resolved.</summary>
    WaitInterrupt,
}
