namespace Jeeves;

/// <summary>
/// Represents a snapshot of a process control block. Snapshots are immutable: later changes to the process do
/// not show through an instance already handed out.
/// </summary>
public sealed record ProcessInfo
{
    /// <summary>Gets the process id (<c>pid</c>).</summary>
    public required ProcessId Pid { get; init; }

    /// <summary>Gets the request the process serves (<c>request_id</c>).</summary>
    public required RequestId RequestId { get; init; }

    /// <summary>Gets the user the process runs for (<c>user_id</c>).</summary>
    public required UserId UserId { get; init; }

    /// <summary>Gets the session the process belongs to (<c>session_id</c>).</summary>
    public required SessionId SessionId { get; init; }

    /// <summary>Gets the lifecycle state.</summary>
    public ProcessState State { get; init; }

    /// <summary>Gets the scheduling priority.</summary>
    public SchedulingPriority Priority { get; init; } = SchedulingPriority.Normal;

    /// <summary>Gets the budget of the process.</summary>
    public required ResourceQuota Quota { get; init; }

    /// <summary>Gets what the process has consumed.</summary>
    public ResourceUsage Usage { get; init; }

    /// <summary>Gets when the process was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the process first started running, or <see langword="null"/> if it never ran.</summary>
    /// <remarks>Set once: the wall-clock budget counts from the first start, time spent waiting included.</remarks>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when the process terminated, or <see langword="null"/> while it is not terminal.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets when the process last started running.</summary>
    public DateTimeOffset? LastScheduledAt { get; init; }

    /// <summary>Gets the kind of interrupt the process waits for, if any.</summary>
    public InterruptKind? PendingInterrupt { get; init; }

    /// <summary>Gets the id of the interrupt the process waits for, when the wait was raised through the interrupt service.</summary>
    public string? PendingInterruptId { get; init; }

    /// <summary>Gets the reason given when the process was last blocked (<c>interrupt_data.block_reason</c>).</summary>
    public string? BlockReason { get; init; }

    /// <summary>Gets why the process terminated, once it has.</summary>
    public string? TerminationReason { get; init; }

    /// <summary>Gets the parent process, if any.</summary>
    public ProcessId? ParentPid { get; init; }

    /// <summary>Gets the child processes.</summary>
    public IReadOnlyList<ProcessId> ChildPids { get; init; } = [];
}
