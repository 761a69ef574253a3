namespace Jeeves.Kernel.Orchestration;

/// <summary>The event types the orchestrator raises.</summary>
internal static class OrchestratorEventTypes
{
    public const string SessionStarted = "orchestrator.session_started";
    public const string AgentInstructed = "orchestrator.agent_instructed";
    public const string AgentReported = "orchestrator.agent_reported";
    public const string StageTransition = "orchestrator.stage_transition";
    public const string SessionTerminated = "orchestrator.session_terminated";
}
