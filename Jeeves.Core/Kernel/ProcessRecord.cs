namespace Jeeves.Kernel;

/// <summary>
/// The kernel's mutable slot for one process. Its fields change in place; <see cref="Info"/> builds an immutable
/// <see cref="ProcessInfo"/> snapshot when someone reads it and keeps it until the next change, so a snapshot handed out
/// never changes under its reader, and a state change nobody reads costs no snapshot at all.
/// </summary>
/// <remarks>Not thread-safe: the kernel actor is its only user. Every setter drops the cached snapshot.</remarks>
internal sealed class ProcessRecord
{
    // Kept small, since every live process has one: times are stored without a nullable's flag (default means none),
    // and the lineage, which the kernel itself never sets, only when there is one.
    private readonly Lineage? _lineage;
    private ProcessInfo? _snapshot;
    private DateTimeOffset _startedAt;
    private DateTimeOffset _completedAt;
    private DateTimeOffset _lastScheduledAt;

    /// <summary>Initializes a record in state NEW.</summary>
    public ProcessRecord(ProcessId pid, RequestId requestId, UserId userId, SessionId sessionId, SchedulingPriority priority, ResourceQuota quota, DateTimeOffset createdAt)
    {
        Pid = pid;
        RequestId = requestId;
        UserId = userId;
        SessionId = sessionId;
        Priority = priority;
        Quota = quota;
        CreatedAt = createdAt;
    }

    /// <summary>Initializes a record from a snapshot, in state NEW.</summary>
    public ProcessRecord(ProcessInfo info)
        : this(info.Pid, info.RequestId, info.UserId, info.SessionId, info.Priority, info.Quota, info.CreatedAt)
    {
        Usage = info.Usage;
        StartedAt = info.StartedAt;
        CompletedAt = info.CompletedAt;
        LastScheduledAt = info.LastScheduledAt;
        PendingInterrupt = info.PendingInterrupt;
        PendingInterruptId = info.PendingInterruptId;
        BlockReason = info.BlockReason;
        TerminationReason = info.TerminationReason;
        if (info.ParentPid is not null || info.ChildPids is not { Count: 0 })
        {
            _lineage = new Lineage(info.ParentPid, info.ChildPids);
        }
        if (info.State == ProcessState.New)
        {
            _snapshot = info;
        }
    }

    /// <summary>Gets an immutable snapshot of the process, built on first read after a change and kept until the next.</summary>
    public ProcessInfo Info => _snapshot ??= Build();

    /// <summary>
    /// Gets an immutable snapshot without keeping it: for a result handed to one caller once, such as a new process's,
    /// so that an idle process holds no snapshot nobody reads again.
    /// </summary>
    public ProcessInfo Snapshot() => _snapshot ?? Build();

    private ProcessInfo Build() => new()
    {
        Pid = Pid,
        RequestId = RequestId,
        UserId = UserId,
        SessionId = SessionId,
        State = State,
        Priority = Priority,
        Quota = Quota,
        Usage = Usage,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        CompletedAt = CompletedAt,
        LastScheduledAt = LastScheduledAt,
        PendingInterrupt = PendingInterrupt,
        PendingInterruptId = PendingInterruptId,
        BlockReason = BlockReason,
        TerminationReason = TerminationReason,
        ParentPid = ParentPid,
        ChildPids = ChildPids,
    };

    public ProcessId Pid { get; }

    public RequestId RequestId { get; }

    public UserId UserId { get; }

    public SessionId SessionId { get; }

    public SchedulingPriority Priority { get; }

    public ResourceQuota Quota { get; }

    public DateTimeOffset CreatedAt { get; }

    public ProcessId? ParentPid => _lineage?.Parent;

    public IReadOnlyList<ProcessId> ChildPids => _lineage?.Children ?? [];

    public ProcessState State
    {
        get;
        set => Change(ref field, value);
    }

    public ResourceUsage Usage
    {
        get;
        set => Change(ref field, value);
    }

    public DateTimeOffset? StartedAt
    {
        get => _startedAt == default ? null : _startedAt;
        set => Change(ref _startedAt, value ?? default);
    }

    public DateTimeOffset? CompletedAt
    {
        get => _completedAt == default ? null : _completedAt;
        set => Change(ref _completedAt, value ?? default);
    }

    public DateTimeOffset? LastScheduledAt
    {
        get => _lastScheduledAt == default ? null : _lastScheduledAt;
        set => Change(ref _lastScheduledAt, value ?? default);
    }

    public InterruptKind? PendingInterrupt
    {
        get;
        set => Change(ref field, value);
    }

    public string? PendingInterruptId
    {
        get;
        set => Change(ref field, value);
    }

    public string? BlockReason
    {
        get;
        set => Change(ref field, value);
    }

    public string? TerminationReason
    {
        get;
        set => Change(ref field, value);
    }

    /// <summary>The sequence number of this process's live ready-queue entry, or 0 when it is not queued.</summary>
    public long QueueTicket { get; set; }

    private void Change<T>(ref T field, T value)
    {
        field = value;
        _snapshot = null;
    }

    private sealed record Lineage(ProcessId? Parent, IReadOnlyList<ProcessId> Children);
}
