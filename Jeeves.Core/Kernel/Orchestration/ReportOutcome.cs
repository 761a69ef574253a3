namespace Jeeves.Kernel.Orchestration;

/// <summary>Everything one agent result will change, computed and validated before anything is committed.</summary>
internal sealed record ReportOutcome
{
    public required Envelope Envelope { get; init; }

    public required Dictionary<string, int> EdgeTraversals { get; init; }

    public TerminalReason? TerminalReason { get; init; }

    public (string From, string To)? Transition { get; init; }

    public int IterationsAdded { get; init; }

    public CreateInterruptRequest? Interrupt { get; init; }

    public string? ResumeStage { get; init; }
}
