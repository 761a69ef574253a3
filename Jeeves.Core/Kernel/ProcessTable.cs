namespace Jeeves.Kernel;

/// <summary>
/// The lifecycle manager: the process table, the ready queue and per-state counts. Every state change goes through
/// <see cref="SetState"/>, so the counts are always exact. Changes are made in place on the <see cref="ProcessRecord"/>;
/// a caller that hands a process out reads <see cref="ProcessRecord.Info"/>, the immutable snapshot.
/// </summary>
/// <remarks>Not thread-safe: the kernel actor is its only caller.</remarks>
internal sealed class ProcessTable
{
    private readonly Dictionary<ProcessId, ProcessRecord> _processes = [];
    private readonly int[] _countsByState = new int[7];
    private readonly ReadyQueue _ready = new();

    public int Count => _processes.Count;

    public int QueueDepth => _ready.LiveCount;

    public int QueueEntryCount => _ready.EntryCount;

    public bool Contains(ProcessId pid) => _processes.ContainsKey(pid);

    public ProcessInfo? Get(ProcessId pid) => _processes.TryGetValue(pid, out ProcessRecord? r) ? r.Info : null;

    /// <summary>Gets the process's record, to read fields without building a snapshot.</summary>
    public ProcessRecord? Find(ProcessId pid) => _processes.GetValueOrDefault(pid);

    public int CountByState(ProcessState state) => _countsByState[(int)state];

    /// <summary>Adds a process in state NEW. The caller has checked that the pid is free.</summary>
    public ProcessRecord Submit(ProcessInfo info) => Submit(new ProcessRecord(info));

    /// <summary>Adds a process record, which is in state NEW. The caller has checked that the pid is free.</summary>
    public ProcessRecord Submit(ProcessRecord record)
    {
        _processes.Add(record.Pid, record);
        _countsByState[(int)ProcessState.New]++;
        return record;
    }

    public ProcessRecord Schedule(ProcessId pid)
    {
        ProcessRecord r = Require(pid, "schedule", ProcessState.New);
        SetState(r, ProcessState.Ready);
        _ready.Enqueue(r, r.CreatedAt);
        return r;
    }

    /// <summary>Takes the next queued process off the queue; it stays READY.</summary>
    public ProcessInfo? TakeNextRunnable() => _ready.Dequeue()?.Info;

    public ProcessRecord Start(ProcessId pid, DateTimeOffset now)
    {
        ProcessRecord r = Require(pid, "start", ProcessState.Ready);
        _ready.Invalidate(r);
        SetState(r, ProcessState.Running);
        r.StartedAt ??= now;
        r.LastScheduledAt = now;
        return r;
    }

    /// <summary>Moves a running process back to READY, queued behind the processes of its priority that are already waiting.</summary>
    public ProcessRecord Preempt(ProcessId pid, DateTimeOffset now)
    {
        ProcessRecord r = Require(pid, "preempt", ProcessState.Running);
        SetState(r, ProcessState.Ready);
        _ready.Enqueue(r, now);
        return r;
    }

    public ProcessRecord Wait(ProcessId pid, InterruptKind? kind, string? interruptId)
    {
        ProcessRecord r = Require(pid, "wait", ProcessState.Running);
        SetState(r, ProcessState.Waiting);
        r.PendingInterrupt = kind;
        r.PendingInterruptId = interruptId;
        return r;
    }

    public ProcessRecord Block(ProcessId pid, string reason)
    {
        ProcessRecord r = Require(pid, "block", ProcessState.Running);
        SetState(r, ProcessState.Blocked);
        r.BlockReason = reason;
        return r;
    }

    /// <summary>Resumes a WAITING or BLOCKED process; it is queued by its original creation time.</summary>
    public ProcessRecord Resume(ProcessId pid)
    {
        ProcessRecord r = RequireExisting(pid);
        if (r.State is not (ProcessState.Waiting or ProcessState.Blocked))
        {
            throw KernelErrors.StateTransition($"cannot resume pid {pid}: state is {r.State}, expected Waiting or Blocked");
        }

        SetState(r, ProcessState.Ready);
        r.PendingInterrupt = null;
        r.PendingInterruptId = null;
        _ready.Enqueue(r, r.CreatedAt);
        return r;
    }

    /// <summary>Terminates a process; a terminal process is left as it is.</summary>
    /// <returns>The process and whether this call terminated it.</returns>
    public (ProcessRecord Record, bool Changed) Terminate(ProcessId pid, string? reason, DateTimeOffset now)
    {
        ProcessRecord r = RequireExisting(pid);
        if (r.State.IsTerminal())
        {
            return (r, false);
        }

        _ready.Invalidate(r);
        if (r.StartedAt is { } started)
        {
            // Whole milliseconds, as the reference measures them.
            r.Usage = r.Usage with { ElapsedSeconds = Math.Floor((now - started).TotalMilliseconds) / 1000.0 };
        }

        SetState(r, ProcessState.Terminated);
        r.CompletedAt = now;
        r.PendingInterrupt = null;
        r.PendingInterruptId = null;
        r.TerminationReason = reason;
        return (r, true);
    }

    public ProcessRecord MarkZombie(ProcessId pid)
    {
        ProcessRecord r = Require(pid, "cleanup", ProcessState.Terminated);
        SetState(r, ProcessState.Zombie);
        return r;
    }

    public void SetUsage(ProcessId pid, ResourceUsage usage) => RequireExisting(pid).Usage = usage;

    /// <summary>Reads what an agent report needs without building a snapshot.</summary>
    public bool TryPeek(ProcessId pid, out ProcessState state, out ResourceUsage usage, out UserId userId)
    {
        if (_processes.TryGetValue(pid, out ProcessRecord? r))
        {
            (state, usage, userId) = (r.State, r.Usage, r.UserId);
            return true;
        }

        (state, usage, userId) = (default, default, default);
        return false;
    }

    /// <summary>Removes a terminal process. Only cleanup removes processes.</summary>
    public bool Remove(ProcessId pid)
    {
        if (!_processes.Remove(pid, out ProcessRecord? r))
        {
            return false;
        }

        _ready.Invalidate(r);
        _countsByState[(int)r.State]--;
        return true;
    }

    public List<ProcessInfo> List(ProcessState? state, UserId? userId)
    {
        var list = new List<ProcessInfo>();
        foreach (ProcessRecord r in _processes.Values)
        {
            if ((state is null || r.State == state) && (userId is null || r.UserId == userId))
            {
                list.Add(r.Info);
            }
        }

        list.Sort(static (a, b) =>
        {
            int c = a.CreatedAt.CompareTo(b.CreatedAt);
            return c != 0 ? c : a.Pid.CompareTo(b.Pid);
        });
        return list;
    }

    public ProcessCounts Counts()
    {
        var byState = new Dictionary<ProcessState, int>(7);
        foreach (ProcessState s in Enum.GetValues<ProcessState>())
        {
            byState[s] = _countsByState[(int)s];
        }

        return new ProcessCounts(byState, _processes.Count, _ready.LiveCount);
    }

    /// <summary>Collects the processes cleanup may remove: terminal and completed before <paramref name="cutoff"/>.</summary>
    public List<ProcessId> FinishedBefore(DateTimeOffset cutoff)
    {
        var list = new List<ProcessId>();
        foreach (ProcessRecord r in _processes.Values)
        {
            if (r.State.IsTerminal() && r.CompletedAt < cutoff)
            {
                list.Add(r.Pid);
            }
        }

        return list;
    }

    public HashSet<UserId> UsersWithLiveProcesses()
    {
        var users = new HashSet<UserId>();
        foreach (ProcessRecord r in _processes.Values)
        {
            if (!r.State.IsTerminal())
            {
                users.Add(r.UserId);
            }
        }

        return users;
    }

    public int CompactQueue() => _ready.Compact();

    private void SetState(ProcessRecord record, ProcessState next)
    {
        _countsByState[(int)record.State]--;
        _countsByState[(int)next]++;
        record.State = next;
    }

    private ProcessRecord RequireExisting(ProcessId pid) =>
        _processes.TryGetValue(pid, out ProcessRecord? r) ? r : throw KernelErrors.UnknownPid(pid);

    private ProcessRecord Require(ProcessId pid, string operation, ProcessState expected)
    {
        ProcessRecord r = RequireExisting(pid);
        if (r.State != expected)
        {
            throw KernelErrors.StateTransition($"cannot {operation} pid {pid}: state is {r.State}, expected {expected}");
        }

        return r;
    }
}
