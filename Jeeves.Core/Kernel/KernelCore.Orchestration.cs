using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    /// <summary>
    /// Starts a run of <paramref name="config"/> for a process. The pipeline is validated (and compiled, once per unchanged
    /// configuration) first; a missing process is
    /// then created (rate-limited, with <c>process.created</c>) from the envelope's identity.
    /// </summary>
    public SessionState InitializeSession(ProcessId pid, PipelineConfig config, Envelope envelope, bool force = false)
    {
        RequirePid(pid);
        ArgumentNullException.ThrowIfNull(envelope);
        CompiledPipeline pipeline = _pipelines.Get(config);
        if (!force && _orchestrator.Get(pid) is not null)
        {
            throw KernelErrors.AlreadyExists($"Session already exists for process: {pid} (use force=true to replace)");
        }

        ProcessRecord? process = _processes.Find(pid);
        if (process is not null && process.State.IsTerminal())
        {
            throw KernelErrors.StateTransition($"cannot start a session for pid {pid}: state is {process.State}");
        }

        if (process is null)
        {
            EnvelopeIdentity id = envelope.Identity;
            CreateProcessCore(
                pid,
                RequestId.TryCreate(id.RequestId, out RequestId r) ? r : null,
                UserId.TryCreate(id.UserId, out UserId u) ? u : null,
                SessionId.TryCreate(id.SessionId, out SessionId s) ? s : null,
                SchedulingPriority.Normal,
                _defaultQuota);
        }

        DateTimeOffset now = Now;
        PipelineSession session = _orchestrator.Initialize(pid, pipeline, envelope, now);
        if (_events.IsEnabled)
        {
            Emit(OrchestratorEventTypes.SessionStarted, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["pipeline"] = config.Name,
                ["stage"] = session.Envelope.Pipeline.CurrentStage,
            });
        }

        if (session.Terminated)
        {
            OnRunEnded(session, now);
        }

        return Orchestrator.State(session);
    }

    /// <summary>Decides what the process's worker does next. Reads only.</summary>
    public Instruction GetNextInstruction(ProcessId pid)
    {
        RequirePid(pid);
        PipelineSession session = _orchestrator.Require(pid);
        Instruction next = Orchestrator.Next(session);
        if (next.Kind == InstructionKind.RunAgent && _events.IsEnabled)
        {
            Emit(OrchestratorEventTypes.AgentInstructed, Now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["agent"] = next.AgentName,
                ["stage"] = session.Envelope.Pipeline.CurrentStage,
            });
        }

        return next;
    }

    /// <summary>
    /// Records the result of the instructed agent, routes the run, charges the usage to the process's quota, and
    /// returns the next instruction. Atomic: a result that is refused changes nothing.
    /// </summary>
    public Instruction ReportAgentResult(ProcessId pid, AgentResult result) => ReportAgentResult(pid, result, output: null);

    /// <summary>Records an agent result whose output the caller already turned into JSON (off the kernel's loop).</summary>
    public Instruction ReportAgentResult(ProcessId pid, AgentResult result, JsonElement? output)
    {
        RequirePid(pid);
        ArgumentNullException.ThrowIfNull(result);
        PipelineSession session = _orchestrator.Require(pid);
        DateTimeOffset now = Now;
        ReportOutcome outcome = Orchestrator.PlanReport(session, result, output, now);

        // Validate the process-side effects before committing anything.
        bool hasProcess = _processes.TryPeek(pid, out ProcessState state, out ResourceUsage usage, out UserId user);
        ResourceUsage processUsage = default;
        ResourceUsage userUsage = default;
        if (hasProcess)
        {
            if (state is not (ProcessState.Ready or ProcessState.Running))
            {
                throw KernelErrors.StateTransition($"cannot report for pid {pid}: state is {state}, expected Ready or Running");
            }

            AgentExecutionMetrics m = result.Metrics ?? new AgentExecutionMetrics();
            var delta = new UsageDelta
            {
                LlmCalls = m.LlmCalls,
                ToolCalls = m.ToolCalls,
                TokensIn = m.TokensIn ?? 0,
                TokensOut = m.TokensOut ?? 0,
                AgentHops = 1,
                Iterations = outcome.IterationsAdded,
            };
            processUsage = QuotaRules.Add(usage, delta);
            userUsage = _usage.Preview(user, delta);
        }

        // Commit.
        Orchestrator.Commit(session, outcome, now);
        if (hasProcess)
        {
            if (state == ProcessState.Ready)
            {
                _processes.Start(pid, now);
            }

            _usage.Store(user, userUsage);
            _processes.SetUsage(pid, processUsage);
        }

        if (_events.IsEnabled)
        {
            Emit(OrchestratorEventTypes.AgentReported, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["agent"] = result.AgentName,
                ["success"] = result.Success,
            });
            if (outcome.Transition is { } t)
            {
                Emit(OrchestratorEventTypes.StageTransition, now, new JsonObject { ["pid"] = pid.Value, ["from"] = t.From, ["to"] = t.To });
            }
        }

        if (outcome.Interrupt is { } raise)
        {
            RaiseInterrupt(raise with { ProcessId = pid }, now, outcome.ResumeStage);
        }
        else if (session.Terminated)
        {
            OnRunEnded(session, now);
            if (_cleanup.ProcessRetention == TimeSpan.Zero)
            {
                // Nothing is to be kept of a finished run: its last instruction carries the final envelope, and the
                // process and session go now rather than at the next cleanup, before they outlive a collection or two.
                Instruction last = GetNextInstruction(pid);
                _ = _processes.Remove(pid);
                _ = _orchestrator.Remove(pid);
                return last;
            }
        }

        return GetNextInstruction(pid);
    }

    public SessionState GetSessionState(ProcessId pid)
    {
        RequirePid(pid);
        return Orchestrator.State(_orchestrator.Require(pid));
    }

    public Envelope CreateEnvelope(CreateEnvelopeOptions? options = null)
    {
        DateTimeOffset now = Now;
        Envelope envelope = Envelope.Create(now, options);
        _engineEnvelopes[envelope.Identity.EnvelopeId] = (envelope, now);
        return envelope;
    }

    public static BoundsCheckResult CheckBounds(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new BoundsCheckResult(
            Orchestrator.CheckBounds(envelope),
            Math.Max(0, envelope.Bounds.MaxLlmCalls - envelope.Bounds.LlmCallCount),
            Math.Max(0, envelope.Pipeline.MaxIterations - envelope.Pipeline.Iteration),
            Math.Max(0, envelope.Bounds.MaxAgentHops - envelope.Bounds.AgentHopCount));
    }

    public Envelope UpdateEnvelope(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        string id = envelope.Identity?.EnvelopeId ?? string.Empty;
        if (!_engineEnvelopes.ContainsKey(id))
        {
            throw KernelErrors.NotFound($"Envelope {id} not found");
        }

        _engineEnvelopes[id] = (envelope, Now);
        return envelope;
    }

    public Envelope CloneEnvelope(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        Envelope clone = envelope.CloneWithNewId();
        _engineEnvelopes[clone.Identity.EnvelopeId] = (clone, Now);
        return clone;
    }

    /// <summary>Starts a run keyed by the envelope id, without a process, and returns its first instruction.</summary>
    public Instruction ExecutePipeline(Envelope envelope, PipelineConfig config)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!ProcessId.TryCreate(envelope.Identity?.EnvelopeId, out ProcessId pid))
        {
            throw KernelErrors.Validation("Invalid envelope: identity.envelope_id is required");
        }

        CompiledPipeline pipeline = _pipelines.Get(config);
        if (_orchestrator.Get(pid) is not null)
        {
            throw KernelErrors.AlreadyExists($"Session already exists for process: {pid} (use force=true to replace)");
        }

        _orchestrator.Initialize(pid, pipeline, envelope, Now);
        return GetNextInstruction(pid);
    }

    /// <summary>Pauses a running process on an interrupt; with a session, the envelope shows it and the run waits.</summary>
    private InterruptRecord RaiseInterrupt(CreateInterruptRequest request, DateTimeOffset now, string? resumeStage)
    {
        InterruptRecord record = _interrupts.Create(request, now);
        EmitInterrupt(KernelEventTypes.InterruptCreated, record, now);
        if (record.ProcessId is not { } pid)
        {
            return record;
        }

        ProcessRecord waiting = _processes.Wait(pid, record.Kind, record.Id);
        if (_events.IsEnabled)
        {
            Emit(KernelEventTypes.ProcessStateChanged, now, new JsonObject
            {
                ["pid"] = pid.Value,
                ["old_state"] = WireNames.ToWire(ProcessState.Running),
                ["new_state"] = WireNames.ToWire(ProcessState.Waiting),
                ["reason"] = "interrupt " + record.Id,
                ["session_id"] = waiting.SessionId.Value,
                ["interrupt_id"] = record.Id,
            });
        }

        if (_orchestrator.Get(pid) is { Terminated: false } session)
        {
            Envelope e = session.Envelope;
            session.Envelope = e with { Interrupts = new EnvelopeInterrupts { InterruptPending = true, Interrupt = ToFlow(record) } };
            session.ResumeStage = resumeStage ?? session.Pipeline.ResumeStage(record.Kind, e.Pipeline.CurrentStage);
        }

        return record;
    }

    /// <summary>The run continues after its interrupt ended without terminating it: resolved, or expired for a kind that resumes.</summary>
    private void ContinueRun(ProcessId pid, InterruptRecord record, DateTimeOffset now)
    {
        if (_orchestrator.Get(pid) is not { Terminated: false } session || session.Envelope.Interrupts.Interrupt?.Id != record.Id)
        {
            return;
        }

        Envelope e = session.Envelope;
        session.Envelope = e with
        {
            Interrupts = new EnvelopeInterrupts { InterruptPending = false, Interrupt = ToFlow(record) },
            Pipeline = e.Pipeline with { CurrentStage = session.ResumeStage ?? e.Pipeline.CurrentStage },
        };
        session.ResumeStage = null;
        session.LastActivityAt = now;
    }

    /// <summary>The process ended while its run was live: the run ends as cancelled, and the envelope says why.</summary>
    private void EndRunWithProcess(ProcessId pid, string? reason, DateTimeOffset now)
    {
        if (_orchestrator.Get(pid) is { Terminated: false } session)
        {
            Orchestrator.Terminate(session, TerminalReason.UserCancelled, reason ?? "Process terminated", now);
            EmitSessionTerminated(session, now);
        }
    }

    /// <summary>The orchestrator ended the run: terminate its process once, and say so.</summary>
    private void OnRunEnded(PipelineSession session, DateTimeOffset now)
    {
        EmitSessionTerminated(session, now);
        if (_processes.Find(session.Pid) is { } process && !process.State.IsTerminal())
        {
            string reason = session.Envelope.Bounds.TerminationReason ?? WireNames.ToWire(session.TerminalReason!.Value);
            TerminateCore(session.Pid, reason, now, emit: true);
        }
    }

    private void EmitSessionTerminated(PipelineSession session, DateTimeOffset now)
    {
        if (_events.IsEnabled)
        {
            Emit(OrchestratorEventTypes.SessionTerminated, now, new JsonObject
            {
                ["pid"] = session.Pid.Value,
                ["terminal_reason"] = session.TerminalReason is { } r ? WireNames.ToWire(r) : string.Empty,
                ["termination_reason"] = session.Envelope.Bounds.TerminationReason,
                ["stage"] = session.Envelope.Pipeline.CurrentStage,
            });
        }
    }

    private static FlowInterrupt ToFlow(InterruptRecord r) => new()
    {
        Kind = r.Kind,
        Id = r.Id,
        Question = r.Question,
        Message = r.Message,
        Data = r.Data is { Count: > 0 } data ? JsonValues.ToElement(data) : null,
        Response = r.Response,
        CreatedAt = r.CreatedAt,
        ExpiresAt = r.ExpiresAt,
    };
}
