namespace Jeeves;

/// <summary>
/// Represents an envelope's remaining budget.
/// </summary>
/// <param name="TerminalReason">The first exhausted bound (LLM calls, then iterations, then agent hops), or <see langword="null"/>.</param>
/// <param name="LlmCallsRemaining">LLM calls left, never negative.</param>
/// <param name="IterationsRemaining">Loop-backs left, never negative.</param>
/// <param name="AgentHopsRemaining">Agent hops left, never negative.</param>
public sealed record BoundsCheckResult(TerminalReason? TerminalReason, int LlmCallsRemaining, int IterationsRemaining, int AgentHopsRemaining)
{
    /// <summary>Gets a value indicating whether every bound has room left.</summary>
    public bool CanContinue => TerminalReason is null;
}
