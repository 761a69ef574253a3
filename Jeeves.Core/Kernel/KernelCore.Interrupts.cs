using System.Text.Json.Nodes;

namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    /// <summary>Raises an interrupt; with a process named, that running process moves to WAITING on it.</summary>
    public KernelInterrupt CreateInterrupt(CreateInterruptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Kind))
        {
            throw KernelErrors.Validation($"Invalid interrupt kind: {request.Kind}");
        }

        DateTimeOffset now = Now;
        if (request.ProcessId is { } pid)
        {
            RequirePid(pid);
            ProcessRecord process = _processes.Find(pid) ?? throw KernelErrors.ProcessNotFound(pid);
            bool orchestratedAndReady = process.State == ProcessState.Ready && _orchestrator.Get(pid) is { Terminated: false };
            if (process.State != ProcessState.Running && !orchestratedAndReady)
            {
                throw KernelErrors.StateTransition($"cannot wait pid {pid}: state is {process.State}, expected Running");
            }

            if (orchestratedAndReady)
            {
                // A run between agents is paused the same way as a running one.
                _processes.Start(pid, now);
            }
        }

        InterruptRecord record = RaiseInterrupt(request, now, resumeStage: null);
        return record.ToSnapshot();
    }

    /// <summary>Resolves a pending interrupt as its owner; a process waiting on it resumes.</summary>
    public bool ResolveInterrupt(string interruptId, InterruptResponse response, string? userId)
    {
        ArgumentNullException.ThrowIfNull(response);
        DateTimeOffset now = Now;
        InterruptRecord? record = Lookup(interruptId, now);
        if (record is null || !_interrupts.TryResolve(record, response, userId, now))
        {
            return false;
        }

        EmitInterrupt(KernelEventTypes.InterruptResolved, record, now);
        EndWait(record, InterruptEndAction.ResumeProcess, now);
        return true;
    }

    /// <summary>Cancels a pending interrupt; a process waiting on it ends as the kind is configured.</summary>
    public bool CancelInterrupt(string interruptId, string? reason = null)
    {
        DateTimeOffset now = Now;
        InterruptRecord? record = Lookup(interruptId, now);
        if (record is null || !InterruptBroker.TryCancel(record, reason ?? "cancelled", now))
        {
            return false;
        }

        EmitInterrupt(KernelEventTypes.InterruptCancelled, record, now);
        EndWait(record, _interrupts.SettingsOf(record.Kind).OnCancelled, now);
        return true;
    }

    public KernelInterrupt? GetInterrupt(string interruptId) => Lookup(interruptId, Now)?.ToSnapshot();

    public IReadOnlyList<KernelInterrupt> GetPendingForSession(string sessionId, IReadOnlyCollection<InterruptKind>? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return _interrupts.PendingForSession(sessionId, kinds, Now).ConvertAll(static r => r.ToSnapshot());
    }

    public KernelInterrupt? GetPendingForRequest(string requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return _interrupts.PendingForRequest(requestId, Now)?.ToSnapshot();
    }

    /// <summary>Expires every due interrupt and ends the waits they held.</summary>
    public int ExpireInterrupts()
    {
        DateTimeOffset now = Now;
        List<InterruptRecord> expired = _interrupts.ExpireDue(now);
        foreach (InterruptRecord record in expired)
        {
            OnExpired(record, now);
        }

        return expired.Count;
    }

    private InterruptRecord? Lookup(string interruptId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        InterruptRecord? record = _interrupts.Get(interruptId, now, out bool expired);
        if (expired)
        {
            OnExpired(record!, now);
        }

        return record;
    }

    private void OnExpired(InterruptRecord record, DateTimeOffset now)
    {
        EmitInterrupt(KernelEventTypes.InterruptExpired, record, now);
        EndWait(record, _interrupts.SettingsOf(record.Kind).OnExpired, now);
    }

    /// <summary>Ends the wait of the process the interrupt paused, if it still waits on this interrupt.</summary>
    private void EndWait(InterruptRecord record, InterruptEndAction action, DateTimeOffset now)
    {
        if (record.ProcessId is not { } pid ||
            _processes.Find(pid) is not { State: ProcessState.Waiting } process ||
            process.PendingInterruptId != record.Id)
        {
            return;
        }

        if (action == InterruptEndAction.ResumeProcess)
        {
            EmitResumed(_processes.Resume(pid), now);
            ContinueRun(pid, record, now);
        }
        else
        {
            string reason = $"interrupt {record.Id} {WireNames.ToWire(record.Status)}";
            TerminateCore(pid, reason, now, emit: true);
        }
    }

    private void EmitInterrupt(string eventType, InterruptRecord record, DateTimeOffset now)
    {
        if (!_events.IsEnabled)
        {
            return;
        }

        var payload = new JsonObject
        {
            ["interrupt_id"] = record.Id,
            ["kind"] = WireNames.ToWire(record.Kind),
            ["status"] = WireNames.ToWire(record.Status),
            ["request_id"] = record.RequestId,
            ["session_id"] = record.SessionId,
            ["user_id"] = record.UserId,
        };
        if (record.ProcessId is { } pid)
        {
            payload["pid"] = pid.Value;
        }

        Emit(eventType, now, payload);
    }
}
