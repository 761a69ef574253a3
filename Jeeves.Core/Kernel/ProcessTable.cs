namespace Jeeves.Kernel;

/// <summary>
/// The lifecycle manager: the process table, the ready queue and per-state counts. Every state change goes through
/// <see cref="Replace"/>, so the counts are always exact.
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

    public int CountByState(ProcessState state) => _countsByState[(int)state];

    /// <summary>Adds a process in state NEW. The caller has checked that the pid is free.</summary>
    public ProcessInfo Submit(ProcessInfo info)
    {
        var record = new ProcessRecord(info with { State = ProcessState.New });
        _processes.Add(info.Pid, record);
        _countsByState[(int)ProcessState.New]++;
        return record.Info;
    }

    public ProcessInfo Schedule(ProcessId pid)
    {
        ProcessRecord r = Require(pid, "schedule", ProcessState.New);
        Replace(r, r.Info with { State = ProcessState.Ready });
        _ready.Enqueue(r, r.Info.CreatedAt);
        return r.Info;
    }

    /// <summary>Takes the next queued process off the queue; it stays READY.</summary>
    public ProcessInfo? TakeNextRunnable() => _ready.Dequeue()?.Info;

    public ProcessInfo Start(ProcessId pid, DateTimeOffset now)
    {
        ProcessRecord r = Require(pid, "start", ProcessState.Ready);
        _ready.Invalidate(r);
        Replace(r, r.Info with { State = ProcessState.Running, StartedAt = r.Info.StartedAt ?? now, LastScheduledAt = now });
        return r.Info;
    }

    /// <summary>Moves a running process back to READY, queued behind the processes of its priority that are already waiting.</summary>
    public ProcessInfo Preempt(ProcessId pid, DateTimeOffset now)
    {
        ProcessRecord r = Require(pid, "preempt", ProcessState.Running);
        Replace(r, r.Info with { State = ProcessState.Ready });
        _ready.Enqueue(r, now);
        return r.Info;
    }

    public ProcessInfo Wait(ProcessId pid, InterruptKind? kind, string? interruptId)
    {
        ProcessRecord r = Require(pid, "wait", ProcessState.Running);
        Replace(r, r.Info with { State = ProcessState.Waiting, PendingInterrupt = kind, PendingInterruptId = interruptId });
        return r.Info;
    }

    public ProcessInfo Block(ProcessId pid, string reason)
    {
        ProcessRecord r = Require(pid, "block", ProcessState.Running);
        Replace(r, r.Info with { State = ProcessState.Blocked, BlockReason = reason });
        return r.Info;
    }

    /// <summary>Resumes a WAITING or BLOCKED process; it is queued by its original creation time.</summary>
    public ProcessInfo Resume(ProcessId pid)
    {
        ProcessRecord r = RequireExisting(pid);
        if (r.Info.State is not (ProcessState.Waiting or ProcessState.Blocked))
        {
            throw KernelErrors.StateTransition($"cannot resume pid {pid}: state is {r.Info.State}, expected Waiting or Blocked");
        }

        Replace(r, r.Info with { State = ProcessState.Ready, PendingInterrupt = null, PendingInterruptId = null });
        _ready.Enqueue(r, r.Info.CreatedAt);
        return r.Info;
    }

    /// <summary>Terminates a process; a terminal process is left as it is.</summary>
    /// <returns>The process and whether this call terminated it.</returns>
    public (ProcessInfo Info, bool Changed) Terminate(ProcessId pid, string? reason, DateTimeOffset now)
    {
        ProcessRecord r = RequireExisting(pid);
        ProcessInfo info = r.Info;
        if (info.State.IsTerminal())
        {
            return (info, false);
        }

        _ready.Invalidate(r);
        ResourceUsage usage = info.Usage;
        if (info.StartedAt is { } started)
        {
            // Whole milliseconds, as the reference measures them.
            usage = usage with { ElapsedSeconds = Math.Floor((now - started).TotalMilliseconds) / 1000.0 };
        }

        Replace(r, info with
        {
            State = ProcessState.Terminated,
            CompletedAt = now,
            Usage = usage,
            PendingInterrupt = null,
            PendingInterruptId = null,
            TerminationReason = reason,
        });
        return (r.Info, true);
    }

    public ProcessInfo MarkZombie(ProcessId pid)
    {
        ProcessRecord r = Require(pid, "cleanup", ProcessState.Terminated);
        Replace(r, r.Info with { State = ProcessState.Zombie });
        return r.Info;
    }

    public void SetUsage(ProcessId pid, ResourceUsage usage) => RequireExisting(pid).SetUsage(usage);

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
        _countsByState[(int)r.Info.State]--;
        return true;
    }

    public List<ProcessInfo> List(ProcessState? state, UserId? userId)
    {
        var list = new List<ProcessInfo>();
        foreach (ProcessRecord r in _processes.Values)
        {
            ProcessInfo p = r.Info;
            if ((state is null || p.State == state) && (userId is null || p.UserId == userId))
            {
                list.Add(p);
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
            if (r.Info.State.IsTerminal() && r.Info.CompletedAt < cutoff)
            {
                list.Add(r.Info.Pid);
            }
        }

        return list;
    }

    public HashSet<UserId> UsersWithLiveProcesses()
    {
        var users = new HashSet<UserId>();
        foreach (ProcessRecord r in _processes.Values)
        {
            if (!r.Info.State.IsTerminal())
            {
                users.Add(r.Info.UserId);
            }
        }

        return users;
    }

    public int CompactQueue() => _ready.Compact();

    private void Replace(ProcessRecord record, ProcessInfo next)
    {
        _countsByState[(int)record.Info.State]--;
        _countsByState[(int)next.State]++;
        record.Info = next;
    }

    private ProcessRecord RequireExisting(ProcessId pid) =>
        _processes.TryGetValue(pid, out ProcessRecord? r) ? r : throw KernelErrors.UnknownPid(pid);

    private ProcessRecord Require(ProcessId pid, string operation, ProcessState expected)
    {
        ProcessRecord r = RequireExisting(pid);
        if (r.Info.State != expected)
        {
            throw KernelErrors.StateTransition($"cannot {operation} pid {pid}: state is {r.Info.State}, expected {expected}");
        }

        return r;
    }
}
