using System.Globalization;
using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Kernel;

/// <summary>What the reference model expects one lifecycle operation to do.</summary>
internal readonly record struct ModelOutcome(KernelErrorCode? Error, ProcessId? Next, int Removed);

/// <summary>The model's view of one process.</summary>
internal sealed class ModelProcess
{
    public ProcessState State { get; set; }

    public SchedulingPriority Priority { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? LastScheduledAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public bool IsTerminal => State is ProcessState.Terminated or ProcessState.Zombie;
}

/// <summary>
/// A deliberately naive reference for the lifecycle manager: a dictionary of processes and a flat list of queued
/// pids, searched linearly for the smallest (priority, order time, enqueue number).
/// </summary>
internal sealed class LifecycleModel(TimeSpan processRetention)
{
    /// <summary>The edges of the §3.2 transition table, written out independently of the library.</summary>
    private static readonly HashSet<(ProcessState From, ProcessState To)> s_edges =
    [
        (ProcessState.New, ProcessState.Ready),
        (ProcessState.New, ProcessState.Terminated),
        (ProcessState.Ready, ProcessState.Running),
        (ProcessState.Ready, ProcessState.Terminated),
        (ProcessState.Running, ProcessState.Ready),
        (ProcessState.Running, ProcessState.Waiting),
        (ProcessState.Running, ProcessState.Blocked),
        (ProcessState.Running, ProcessState.Terminated),
        (ProcessState.Waiting, ProcessState.Ready),
        (ProcessState.Waiting, ProcessState.Terminated),
        (ProcessState.Blocked, ProcessState.Ready),
        (ProcessState.Blocked, ProcessState.Terminated),
        (ProcessState.Terminated, ProcessState.Zombie),
    ];

    private readonly Dictionary<ProcessId, ModelProcess> _processes = [];
    private readonly List<(ProcessId Pid, int Priority, DateTimeOffset OrderTime, long Sequence)> _queue = [];
    private long _sequence;

    public IReadOnlyDictionary<ProcessId, ModelProcess> Processes => _processes;

    public int QueueCount => _queue.Count;

    public static bool IsEdge(ProcessState from, ProcessState to) => s_edges.Contains((from, to));

    /// <summary>The states reachable from <paramref name="from"/> in one edge, in a fixed order.</summary>
    public static ProcessState[] EdgesFrom(ProcessState from) => s_edges.Where(e => e.From == from).Select(e => e.To).Order().ToArray();

    public static bool IsTerminal(ProcessState state) => state is ProcessState.Terminated or ProcessState.Zombie;

    public ModelOutcome Apply(LifecycleOp op, DateTimeOffset now)
    {
        ProcessId pid = op.ProcessId;
        _processes.TryGetValue(pid, out ModelProcess? p);
        switch (op.Kind)
        {
            case LifecycleOpKind.Create:
                if (p is not null)
                {
                    return Fail(KernelErrorCode.AlreadyExists);
                }

                _processes[pid] = new ModelProcess { State = ProcessState.Ready, Priority = op.Priority, CreatedAt = now };
                Enqueue(pid, now);
                return default;

            case LifecycleOpKind.Schedule:
                return p is null ? Fail(KernelErrorCode.NotFound)
                    : p.State != ProcessState.New ? Fail(KernelErrorCode.FailedPrecondition)
                    : Move(pid, p, ProcessState.Ready, now);

            case LifecycleOpKind.Transition:
                return p is null ? Fail(KernelErrorCode.NotFound)
                    : !IsEdge(p.State, op.Target) ? Fail(KernelErrorCode.FailedPrecondition)
                    : Move(pid, p, op.Target, now);

            case LifecycleOpKind.Terminate:
                return p is null ? Fail(KernelErrorCode.NotFound)
                    : p.IsTerminal ? default
                    : Move(pid, p, ProcessState.Terminated, now);

            case LifecycleOpKind.Resume:
                return p is null ? Fail(KernelErrorCode.NotFound)
                    : p.State is not (ProcessState.Waiting or ProcessState.Blocked) ? Fail(KernelErrorCode.FailedPrecondition)
                    : Move(pid, p, ProcessState.Ready, now);

            case LifecycleOpKind.Next:
                return new ModelOutcome(null, Dequeue(), 0);

            case LifecycleOpKind.Cleanup:
                var removed = _processes.Where(e => e.Value.IsTerminal && e.Value.CompletedAt < now - processRetention).Select(e => e.Key).ToList();
                foreach (ProcessId gone in removed)
                {
                    _processes.Remove(gone);
                }

                return new ModelOutcome(null, null, removed.Count);

            default:
                return default;
        }
    }

    private static ModelOutcome Fail(KernelErrorCode code) => new(code, null, 0);

    /// <summary>Follows one edge of the table, with its queue and timestamp effects.</summary>
    private ModelOutcome Move(ProcessId pid, ModelProcess p, ProcessState to, DateTimeOffset now)
    {
        ProcessState from = p.State;
        p.State = to;
        switch (from, to)
        {
            case (ProcessState.Running, ProcessState.Ready):
                Enqueue(pid, now); // a preempted process goes to the back of its priority
                break;
            case (_, ProcessState.Ready):
                Enqueue(pid, p.CreatedAt); // scheduled or resumed: ordered by creation time
                break;
            case (_, ProcessState.Running):
                Unqueue(pid);
                p.StartedAt ??= now;
                p.LastScheduledAt = now;
                break;
            case (_, ProcessState.Terminated):
                Unqueue(pid);
                p.CompletedAt = now;
                break;
        }

        return default;
    }

    private void Enqueue(ProcessId pid, DateTimeOffset orderTime)
    {
        Unqueue(pid);
        _queue.Add((pid, (int)_processes[pid].Priority, orderTime, ++_sequence));
    }

    private void Unqueue(ProcessId pid) => _queue.RemoveAll(e => e.Pid == pid);

    private ProcessId? Dequeue()
    {
        if (_queue.Count == 0)
        {
            return null;
        }

        int best = 0;
        for (int i = 1; i < _queue.Count; i++)
        {
            var (_, priority, order, sequence) = _queue[i];
            var (_, bestPriority, bestOrder, bestSequence) = _queue[best];
            if ((priority, order, sequence).CompareTo((bestPriority, bestOrder, bestSequence)) < 0)
            {
                best = i;
            }
        }

        ProcessId pid = _queue[best].Pid;
        _queue.RemoveAt(best);
        return pid;
    }
}

/// <summary>Runs lifecycle operations against a kernel.</summary>
internal static class LifecycleDriver
{
    public static readonly TimeSpan ProcessRetention = TimeSpan.FromSeconds(15);

    /// <summary>A kernel without rate limits whose cleanup collects processes finished over 15 seconds ago.</summary>
    public static KernelCore CreateKernel(out FakeTimeProvider time, Action<KernelOptions>? configure = null) =>
        TestKernel.Create(out time, o =>
        {
            o.RateLimit.RequestsPerHour = int.MaxValue;
            o.RateLimit.RequestsPerMinute = int.MaxValue;
            o.RateLimit.BurstSize = int.MaxValue;
            o.Cleanup.ProcessRetention = ProcessRetention;
            configure?.Invoke(o);
        });

    /// <summary>
    /// Turns an operation into a concrete one: an "existing process" pid becomes the pid of that process (in pid
    /// order), and a <see cref="LifecycleOpKind.Step"/> becomes a transition along a legal edge of the current state
    /// (or to the generated target when there is none).
    /// </summary>
    public static LifecycleOp Resolve(LifecycleOp op, IReadOnlyDictionary<ProcessId, ProcessState> states)
    {
        int pid = op.Pid;
        if (pid >= LifecycleOp.PidCount)
        {
            List<ProcessId> existing = [.. states.Keys.Order()];
            pid = existing.Count == 0
                ? pid % LifecycleOp.PidCount
                : int.Parse(existing[(pid - LifecycleOp.PidCount) % existing.Count].Value.AsSpan(1), CultureInfo.InvariantCulture);
        }

        if (op.Kind != LifecycleOpKind.Step)
        {
            return op with { Pid = pid };
        }

        // Edges that keep the process alive are three times as likely as termination, so scripts reach deep states.
        ProcessState[] edges = states.TryGetValue(LifecycleOp.PidOf(pid), out ProcessState state)
            ? LifecycleModel.EdgesFrom(state).SelectMany(to => Enumerable.Repeat(to, to == ProcessState.Terminated ? 1 : 3)).ToArray()
            : [];
        ProcessState target = edges.Length == 0 ? op.Target : edges[op.Choice % edges.Length];
        return op with { Kind = LifecycleOpKind.Transition, Pid = pid, Target = target };
    }

    /// <summary>Advances the clock by the operation's delay, then resolves the operation against the kernel and runs it.</summary>
    /// <returns>The process the operation returned, if any, and the error code it failed with, if any.</returns>
    public static (ProcessInfo? Result, KernelErrorCode? Error, CleanupStats? Cleanup) Run(KernelCore core, FakeTimeProvider time, LifecycleOp op)
    {
        time.Advance(op.Delay);
        op = Resolve(op, core.ListProcesses().ToDictionary(p => p.Pid, p => p.State));
        ProcessId pid = op.ProcessId;
        try
        {
            return op.Kind switch
            {
                LifecycleOpKind.Create => (core.CreateProcess(pid, new CreateProcessOptions { Priority = op.Priority }), null, null),
                LifecycleOpKind.Schedule => (core.ScheduleProcess(pid), null, null),
                LifecycleOpKind.Next => (core.GetNextRunnable(), null, null),
                LifecycleOpKind.Transition => (core.TransitionState(pid, op.Target), null, null),
                LifecycleOpKind.Terminate => (core.TerminateProcess(pid), null, null),
                LifecycleOpKind.Resume => (core.ResumeProcess(pid), null, null),
                LifecycleOpKind.Cleanup => (null, null, core.RunCleanup()),
                _ => (null, null, null),
            };
        }
        catch (KernelException ex)
        {
            return (null, ex.Code, null);
        }
    }

    /// <summary>Every process in the table, by pid.</summary>
    public static Dictionary<ProcessId, ProcessInfo> Snapshot(KernelCore core) => core.ListProcesses().ToDictionary(p => p.Pid);
}
