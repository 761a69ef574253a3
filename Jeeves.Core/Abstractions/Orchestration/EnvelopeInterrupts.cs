namespace Jeeves;

/// <summary>
/// Represents whether a run is paused, and the last interrupt it raised.
/// </summary>
public sealed record EnvelopeInterrupts
{
    /// <summary>Gets the shared state of a run that is not paused and has no interrupt to show (records are immutable, so one instance serves all).</summary>
    internal static EnvelopeInterrupts None { get; } = new();

    /// <summary>Gets a value indicating whether the run waits for <see cref="Interrupt"/> (<c>interrupt_pending</c>).</summary>
    public bool InterruptPending { get; init; }

    /// <summary>Gets the pending interrupt, or the last resolved one with its response until the next agent result (<c>interrupt</c>).</summary>
    public FlowInterrupt? Interrupt { get; init; }
}
