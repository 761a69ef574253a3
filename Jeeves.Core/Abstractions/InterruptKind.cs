namespace Jeeves;

/// <summary>
/// Specifies why a run pauses for a human or the system. On the wire the kinds are spelled in snake_case
/// (<c>clarification</c>, <c>agent_review</c>, …) and parsed case-sensitively.
/// </summary>
public enum InterruptKind
{
    /// <summary>The agent needs more information from the user (default TTL 24 h).</summary>
    Clarification,

    /// <summary>The user must approve an action (default TTL 1 h).</summary>
    Confirmation,

    /// <summary>A reviewer must look at an agent's output (default TTL 30 min).</summary>
    AgentReview,

    /// <summary>A checkpoint; never expires.</summary>
    Checkpoint,

    /// <summary>A budget ran out (default TTL 5 min).</summary>
    ResourceExhausted,

    /// <summary>A time limit was reached (default TTL 5 min).</summary>
    Timeout,

    /// <summary>A system failure needs attention (default TTL 1 h).</summary>
    SystemError,
}
