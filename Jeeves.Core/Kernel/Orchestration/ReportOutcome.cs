namespace Jeeves.Kernel.Orchestration;

/// <summary>Everything one agent result will change, computed and validated before anything is committed.</summary>
internal readonly record struct ReportOutcome
{
    public required Envelope Envelope { get; init; }

    /// <summary>The edge whose traversal counter to increment, for a transition.</summary>
    public int? Edge { get; init; }

    public TerminalReason? TerminalReason { get; init; }

    public (string From, string To)? Transition { get; init; }

    public int IterationsAdded { get; init; }

    public CreateInterruptRequest? Interrupt { get; init; }

    public string? ResumeStage { get; init; }
}
