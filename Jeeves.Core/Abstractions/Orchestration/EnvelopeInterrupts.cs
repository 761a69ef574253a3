namespace Jeeves;

/// <summary>
/// Represents whether a run is paused, and the last interrupt it raised.
/// </summary>
public sealed record EnvelopeInterrupts
{
    /// <summary>Gets a value indicating whether the run waits for <see cref="Interrupt"/> (<c>interrupt_pending</c>).</summary>
    public bool InterruptPending { get; init; }

    /// <summary>Gets the pending interrupt, or the last resolved one with its response until the next agent result (<c>interrupt</c>).</summary>
    public FlowInterrupt? Interrupt { get; init; }
}
