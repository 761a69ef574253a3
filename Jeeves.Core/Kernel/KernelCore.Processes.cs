using System.Text.Json.Nodes;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    private static readonly UserId s_anonymous = new("anonymous");
    private static readonly CreateProcessOptions s_defaultCreate = new();

    /// <summary>Creates a process and schedules it. Checks, in order: pid, quota, duplicate pid, rate limit.</summary>
    public ProcessInfo CreateProcess(ProcessId pid, CreateProcessOptions? options = null)
    {
        RequirePid(pid);
        options ??= s_defaultCreate;
        if (!Enum.IsDefined(options.Priority))
        {
            throw KernelErrors.Validation($"Invalid priority: {options.Priority}");
        }

        ResourceQuota quota = options.Quota ?? _defaultQuota;
        if (options.Quota is not null)
        {
            // The default quota was validated when it was set.
            QuotaRules.Validate(quota);
        }

        return CreateProcessCore(pid, options.RequestId, options.UserId, options.SessionId, options.Priority, quota).Snapshot();
    }

    public ProcessInfo? GetProcess(ProcessId pid)
    {
        RequirePid(pid);
        return _processes.Get(pid);
    }

    public ProcessInfo ScheduleProcess(ProcessId pid)
    {
        RequirePid(pid);
        return _processes.Schedule(pid).Info;
    }

    public ProcessInfo? GetNextRunnable() => _processes.TakeNextRunnable();

    /// <summary>Moves a process along one edge of the state table (the recommended full table of §11.5).</summary>
    public ProcessInfo TransitionState(ProcessId pid, ProcessState newState, string? reason = null, InterruptKind? interruptKind = null)
    {
        RequirePid(pid);
        if (!Enum.IsDefined(newState))
        {
            throw KernelErrors.Validation($"Invalid process state: {newState}");
        }

        ProcessRecord current = _processes.Find(pid) ?? throw KernelErrors.ProcessNotFound(pid);
        ProcessState old = current.State;
        if (!ProcessStateMachine.CanTransition(old, newState))
        {
            throw KernelErrors.StateTransition($"Invalid transition from {old} to {newState}");
        }

        DateTimeOffset now = Now;
        ProcessRecord result = (old, newState) switch
        {
            (ProcessState.New, ProcessState.Ready) => _processes.Schedule(pid),
            (ProcessState.Ready, ProcessState.Running) => _processes.Start(pid, now),
            (ProcessState.Running, ProcessState.Ready) => _processes.Preempt(pid, now),
            (ProcessState.Running, ProcessState.Waiting) => _processes.Wait(pid, interruptKind, interruptId: null),
            (ProcessState.Running, ProcessState.Blocked) => _processes.Block(pid, reason ?? string.Empty),
            (_, ProcessState.Ready) => _processes.Resume(pid),
            (_, ProcessState.Terminated) => TerminateCore(pid, reason, now, emit: false).Record,
            _ => _processes.MarkZombie(pid),
        };

        if (_events.IsEnabled)
        {
            Emit(KernelEventTypes.ProcessStateChanged, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["old_state"] = WireNames.ToWire(old),
                ["new_state"] = WireNames.ToWire(newState),
                ["reason"] = reason ?? string.Empty,
                ["session_id"] = result.SessionId.Value,
            });
        }

        return result.Info;
    }

    /// <summary>Terminates a process; idempotent. A pending interrupt that paused it is cancelled.</summary>
    public ProcessInfo TerminateProcess(ProcessId pid, string? reason = null)
    {
        RequirePid(pid);
        return TerminateCore(pid, reason, Now, emit: true).Record.Info;
    }

    /// <summary>Resumes a WAITING or BLOCKED process and queues it.</summary>
    /// <remarks>
    /// When the process has an orchestration session, its envelope's interrupt is cleared and
    /// <paramref name="envelopeUpdate"/> is merged into it (§4.5); the run continues at its current stage.
    /// </remarks>
    public ProcessInfo ResumeProcess(ProcessId pid, JsonObject? envelopeUpdate = null)
    {
        RequirePid(pid);
        ProcessRecord result = _processes.Resume(pid);
        DateTimeOffset now = Now;
        if (_orchestrator.Get(pid) is { } session)
        {
            Envelope e = EnvelopeUpdates.Merge(session.Envelope, envelopeUpdate);
            session.Envelope = e with { Interrupts = EnvelopeInterrupts.None };
            session.ResumeStage = null;
            session.LastActivityAt = now;
        }

        EmitResumed(result, now);
        return result.Info;
    }

    public QuotaCheckResult CheckQuota(ProcessId pid)
    {
        RequirePid(pid);
        ProcessInfo process = _processes.Get(pid) ?? throw KernelErrors.ProcessNotFound(pid);
        DateTimeOffset now = Now;
        QuotaCheckResult result = QuotaRules.Check(process, now);
        if (!result.WithinBounds && _events.IsEnabled)
        {
            Emit(KernelEventTypes.ResourceExhausted, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["session_id"] = process.SessionId.Value,
                ["reason"] = result.ExceededReason,
                ["usage"] = UsageJson(result.Usage),
            });
        }

        return result;
    }

    /// <summary>Adds usage to the process and its user. Nothing is recorded unless every total fits.</summary>
    public ResourceUsage RecordUsage(ProcessId pid, UsageDelta delta)
    {
        RequirePid(pid);
        ProcessRecord process = _processes.Find(pid) ?? throw KernelErrors.ProcessNotFound(pid);
        QuotaRules.Validate(delta);
        ResourceUsage processTotal = QuotaRules.Add(process.Usage, delta);
        ResourceUsage userTotal = _usage.Preview(process.UserId, delta);

        _usage.Store(process.UserId, userTotal);
        _processes.SetUsage(pid, processTotal);
        return processTotal;
    }

    public RateLimitDecision CheckRateLimit(UserId userId, bool record = true)
    {
        if (userId.IsEmpty)
        {
            throw KernelErrors.Validation("user_id is required");
        }

        return _rateLimiter.Check(userId, Now, record);
    }

    public IReadOnlyList<ProcessInfo> ListProcesses(ProcessState? state = null, UserId? userId = null) =>
        _processes.List(state, userId is { IsEmpty: false } ? userId : null);

    public ProcessCounts GetProcessCounts() => _processes.Counts();

    public ResourceQuota SetQuotaDefaults(QuotaUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _defaultQuota = QuotaRules.Merge(_defaultQuota, update);
        return _defaultQuota;
    }

    public ResourceQuota GetQuotaDefaults() => _defaultQuota;

    public ResourceUsage? GetUserUsage(UserId userId) => _usage.Get(userId);

    /// <summary>Creates and schedules a process whose pid, priority and quota are valid. Checks the duplicate pid, then the rate limit.</summary>
    private ProcessRecord CreateProcessCore(ProcessId pid, RequestId? requestId, UserId? userId, SessionId? sessionId, SchedulingPriority priority, ResourceQuota quota)
    {
        if (_processes.Contains(pid))
        {
            // Refused before the rate limiter, so a duplicate never spends the user's slot.
            throw KernelErrors.AlreadyExists($"Process {pid} already exists");
        }

        UserId user = userId is { IsEmpty: false } u ? u : s_anonymous;
        DateTimeOffset now = Now;
        if (!_rateLimiter.TryAcquire(user, now, out RateLimitDecision? refusal))
        {
            throw new RateLimitedException(refusal);
        }

        ProcessRecord created = _processes.Submit(new ProcessRecord(
            pid,
            requestId is { IsEmpty: false } r ? r : RequestId.New(),
            user,
            sessionId is { IsEmpty: false } s ? s : SessionId.New(),
            priority,
            quota,
            now));
        _processes.Schedule(pid);

        if (_events.IsEnabled)
        {
            Emit(KernelEventTypes.ProcessCreated, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["request_id"] = created.RequestId.Value,
                ["user_id"] = created.UserId.Value,
                ["session_id"] = created.SessionId.Value,
            });
        }

        return created;
    }

    private (ProcessRecord Record, bool Changed) TerminateCore(ProcessId pid, string? reason, DateTimeOffset now, bool emit)
    {
        string? waitingOn = _processes.Find(pid)?.PendingInterruptId;
        (ProcessRecord info, bool changed) = _processes.Terminate(pid, reason, now);
        if (!changed)
        {
            return (info, false);
        }

        // Lookup applies a due expiry first (with its event); a live interrupt is then cancelled.
        if (waitingOn is not null && Lookup(waitingOn, now) is { } interrupt &&
            InterruptBroker.TryCancel(interrupt, "process terminated", now))
        {
            EmitInterrupt(KernelEventTypes.InterruptCancelled, interrupt, now);
        }

        EndRunWithProcess(pid, reason, now);
        if (emit && _events.IsEnabled)
        {
            var payload = new JsonObject { ["pid"] = pid.Value, ["session_id"] = info.SessionId.Value };
            if (reason is not null)
            {
                payload["reason"] = reason;
            }

            Emit(KernelEventTypes.ProcessTerminated, now, payload);
        }

        return (info, true);
    }

    private void EmitResumed(ProcessRecord process, DateTimeOffset now)
    {
        if (_events.IsEnabled)
        {
            Emit(KernelEventTypes.ProcessResumed, now, new JsonObject { ["pid"] = process.Pid.Value, ["session_id"] = process.SessionId.Value });
        }
    }

    private static JsonObject UsageJson(ResourceUsage u) => new()
    {
        ["llm_calls"] = u.LlmCalls,
        ["tool_calls"] = u.ToolCalls,
        ["agent_hops"] = u.AgentHops,
        ["tokens_in"] = u.TokensIn,
        ["tokens_out"] = u.TokensOut,
    };

    private static void RequirePid(ProcessId pid)
    {
        if (pid.IsEmpty)
        {
            throw KernelErrors.Validation("ProcessId cannot be empty");
        }
    }
}
