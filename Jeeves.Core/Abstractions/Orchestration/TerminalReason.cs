namespace Jeeves;

/// <summary>
/// Specifies why a run ended. On the wire: <c>COMPLETED</c>, <c>MAX_ITERATIONS_EXCEEDED</c>,
/// <c>MAX_LLM_CALLS_EXCEEDED</c>, <c>MAX_AGENT_HOPS_EXCEEDED</c>, <c>USER_CANCELLED</c>, <c>TOOL_FAILED_FATALLY</c>,
/// <c>LLM_FAILED_FATALLY</c>, <c>POLICY_VIOLATION</c>.
/// </summary>
public enum TerminalReason
{
    /// <summary>The pipeline reached a stage with no matching route.</summary>
    Completed,

    /// <summary>The run looped back <c>max_iterations</c> times.</summary>
    MaxIterationsExceeded,

    /// <summary>The run made <c>max_llm_calls</c> LLM calls.</summary>
    MaxLlmCallsExceeded,

    /// <summary>The run made <c>max_agent_hops</c> agent runs, or an edge reached its limit.</summary>
    MaxAgentHopsExceeded,

    /// <summary>A person or the host ended the run (terminated the process, or cancelled or let expire the interrupt it waited on).</summary>
    UserCancelled,

    /// <summary>A tool failed in a way the run cannot recover from.</summary>
    ToolFailedFatally,

    /// <summary>The LLM failed in a way the run cannot recover from.</summary>
    LlmFailedFatally,

    /// <summary>A policy forbade the run to continue.</summary>
    PolicyViolation,
}
