namespace Jeeves;

/// <summary>
/// Represents what the kernel tells a worker to do next.
/// </summary>
public sealed record Instruction
{
    /// <summary>Gets the kind of instruction (<c>kind</c>).</summary>
    public InstructionKind Kind { get; init; }

    /// <summary>Gets the agent to run, for <see cref="InstructionKind.RunAgent"/> (<c>agent_name</c>).</summary>
    public string? AgentName { get; init; }

    /// <summary>Gets a snapshot of the envelope when the instruction was decided (<c>envelope</c>).</summary>
    public Envelope? Envelope { get; init; }

    /// <summary>Gets why the run ended, for <see cref="InstructionKind.Terminate"/> (<c>terminal_reason</c>).</summary>
    public TerminalReason? TerminalReason { get; init; }

    /// <summary>Gets an explanation, for <see cref="InstructionKind.Terminate"/> (<c>termination_message</c>).</summary>
    public string? TerminationMessage { get; init; }

    /// <summary>Gets a value indicating whether the run waits for an interrupt (<c>interrupt_pending</c>).</summary>
    public bool InterruptPending { get; init; }

    /// <summary>Gets the interrupt waited for, for <see cref="InstructionKind.WaitInterrupt"/> (<c>interrupt</c>).</summary>
    public FlowInterrupt? Interrupt { get; init; }
}
