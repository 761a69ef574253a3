using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Orchestration;

/// <summary>
/// Pipeline sessions keyed by process: starts runs, decides the next instruction, and folds agent results into
/// the envelope with routing, edge limits and bounds. It knows nothing of processes; the kernel facade links a
/// session to its process.
/// </summary>
/// <remarks>
/// Iteration counts loop-backs: it rises by one when routing goes to a stage at or before the current one, so a
/// linear pipeline never spends it. Bounds are checked with <c>&gt;=</c> after routing, LLM calls first, then
/// iterations, then agent hops; a run whose routing completes is <see cref="TerminalReason.Completed"/> even if it
/// just reached a bound. Terminations are recorded when they happen, so <see cref="Next"/> only reads.
/// </remarks>
internal sealed class Orchestrator
{
    private readonly Dictionary<ProcessId, PipelineSession> _sessions = [];

    public int Count => _sessions.Count;

    public PipelineSession? Get(ProcessId pid) => _sessions.GetValueOrDefault(pid);

    public PipelineSession Require(ProcessId pid) =>
        _sessions.TryGetValue(pid, out PipelineSession? s) ? s : throw KernelErrors.NotFound($"Unknown process: {pid}");

    public bool Remove(ProcessId pid) => _sessions.Remove(pid);

    public IEnumerable<PipelineSession> Sessions => _sessions.Values;

    /// <summary>Starts (or with force replaces) a session; the caller has validated the pipeline and the duplicate rule.</summary>
    public PipelineSession Initialize(ProcessId pid, CompiledPipeline pipeline, Envelope envelope, DateTimeOffset now)
    {
        PipelineConfig config = pipeline.Config;
        string current = envelope.Pipeline.CurrentStage;
        Envelope prepared = envelope with
        {
            Pipeline = envelope.Pipeline with
            {
                MaxIterations = config.MaxIterations,
                StageOrder = pipeline.StageOrder,
                CurrentStage = pipeline.Find(current ?? string.Empty) is null ? pipeline.FirstStage : current!,
            },
            Bounds = envelope.Bounds with
            {
                MaxLlmCalls = config.MaxLlmCalls,
                MaxAgentHops = config.MaxAgentHops,
                Terminated = false,
                TerminalReason = null,
                TerminationReason = null,
            },
            Audit = envelope.Audit with { CompletedAt = null },
        };

        var session = new PipelineSession(pid, pipeline, prepared, now);
        if (CheckBounds(prepared) is { } exhausted)
        {
            Terminate(session, exhausted, $"Bounds exceeded: {exhausted}", now);
        }

        _sessions[pid] = session;
        return session;
    }

    /// <summary>Decides the next instruction. Reads only.</summary>
    public static Instruction Next(PipelineSession s)
    {
        Envelope e = s.Envelope;
        if (s.Terminated)
        {
            return new Instruction
            {
                Kind = InstructionKind.Terminate,
                Envelope = e,
                TerminalReason = s.TerminalReason,
                TerminationMessage = "Session already terminated",
            };
        }

        if (e.Interrupts.InterruptPending)
        {
            return new Instruction { Kind = InstructionKind.WaitInterrupt, Envelope = e, InterruptPending = true, Interrupt = e.Interrupts.Interrupt };
        }

        CompiledPipeline.Stage stage = s.Pipeline.Find(e.Pipeline.CurrentStage)
            ?? throw KernelErrors.NotFound($"Stage not found in pipeline: {e.Pipeline.CurrentStage}");
        return new Instruction { Kind = InstructionKind.RunAgent, AgentName = stage.Agent, Envelope = e };
    }

    /// <summary>Computes what an agent result changes; throws, changing nothing, when the result is not acceptable.</summary>
    /// <param name="s">The session.</param>
    /// <param name="result">The result.</param>
    /// <param name="output">The result's output already as JSON, or <see langword="null"/> to convert <see cref="AgentResult.Output"/> here.</param>
    /// <param name="now">The current time.</param>
    public static ReportOutcome PlanReport(PipelineSession s, AgentResult result, JsonElement? output, DateTimeOffset now)
    {
        Envelope e = s.Envelope;
        if (s.Terminated)
        {
            throw KernelErrors.StateTransition($"Session already terminated for process: {s.Pid}");
        }

        if (e.Interrupts.InterruptPending)
        {
            throw KernelErrors.StateTransition($"Process {s.Pid} is waiting for interrupt {e.Interrupts.Interrupt?.Id}");
        }

        CompiledPipeline.Stage stage = s.Pipeline.Find(e.Pipeline.CurrentStage)
            ?? throw KernelErrors.StateTransition($"Current stage '{e.Pipeline.CurrentStage}' not found in pipeline config");
        if (!string.Equals(result.AgentName, stage.Agent, StringComparison.Ordinal))
        {
            throw KernelErrors.StateTransition(
                $"Expected a result from agent '{stage.Agent}' for stage '{stage.Name}', got '{result.AgentName}'");
        }

        AgentExecutionMetrics m = result.Metrics ?? new AgentExecutionMetrics();
        RequireNonNegative("llm_calls", m.LlmCalls);
        RequireNonNegative("tool_calls", m.ToolCalls);
        RequireNonNegative("tokens_in", m.TokensIn ?? 0);
        RequireNonNegative("tokens_out", m.TokensOut ?? 0);
        RequireNonNegative("duration_ms", m.Duration.Ticks);
        if (result.Interrupt is { } raised && !Enum.IsDefined(raised.Kind))
        {
            throw KernelErrors.Validation($"Invalid interrupt kind: {raised.Kind}");
        }

        // The agent's output, with a failure written into it so that routing can react to it.
        JsonElement outputElement = output ?? JsonValues.ToElement(result.Output);
        if (outputElement.ValueKind != JsonValueKind.Object)
        {
            outputElement = JsonValues.EmptyObject;
        }

        ImmutableSortedDictionary<string, JsonElement> metadata = e.Audit.Metadata;
        EnvelopePipeline pipeline = e.Pipeline;
        if (result.Success)
        {
            pipeline = pipeline.CompletedStageSet.Contains(stage.Name) && !pipeline.ActiveStages.Contains(stage.Name)
                ? pipeline
                : pipeline with { CompletedStageSet = pipeline.CompletedStageSet.Add(stage.Name), ActiveStages = pipeline.ActiveStages.Remove(stage.Name) };
        }
        else
        {
            JsonObject failed = JsonObject.Create(outputElement)!;
            failed["success"] = false;
            if (!string.IsNullOrEmpty(result.Error))
            {
                failed["error"] = result.Error;
            }

            outputElement = JsonValues.ToElement(failed);
            metadata = metadata.SetItem("last_agent_failure", JsonValues.ToElement(new JsonObject { ["agent_name"] = result.AgentName, ["error"] = result.Error ?? string.Empty }));
            pipeline = pipeline with
            {
                FailedStages = pipeline.FailedStages.SetItem(stage.Name, string.IsNullOrEmpty(result.Error) ? "failed" : result.Error),
                ActiveStages = pipeline.ActiveStages.Remove(stage.Name),
            };
        }

        EnvelopeBounds bounds = e.Bounds with
        {
            LlmCallCount = Add("llm_calls", e.Bounds.LlmCallCount, m.LlmCalls),
            ToolCallCount = Add("tool_calls", e.Bounds.ToolCallCount, m.ToolCalls),
            TokensIn = Add("tokens_in", e.Bounds.TokensIn, m.TokensIn ?? 0),
            TokensOut = Add("tokens_out", e.Bounds.TokensOut, m.TokensOut ?? 0),
        };
        var record = new ProcessingRecord
        {
            Agent = result.AgentName,
            StageOrder = stage.Index,
            StartedAt = now - m.Duration,
            CompletedAt = now,
            DurationMs = (int)Math.Min(int.MaxValue, (long)m.Duration.TotalMilliseconds),
            Status = result.Success ? ProcessingStatus.Success : ProcessingStatus.Error,
            Error = result.Success || string.IsNullOrEmpty(result.Error) ? null : result.Error,
            LlmCalls = m.LlmCalls,
        };

        var outputs = e.Outputs.SetItem(result.AgentName, outputElement);

        // A resolved interrupt stays readable, with its response, until the next agent result.
        EnvelopeInterrupts interrupts = e.Interrupts.Interrupt is null ? e.Interrupts : new EnvelopeInterrupts();
        EnvelopeAudit audit = e.Audit with { Metadata = metadata, ProcessingHistory = e.Audit.ProcessingHistory.Add(record) };

        if (result.Interrupt is { } interrupt)
        {
            // The run pauses at this stage; routing waits until the interrupt is resolved. The paused run still
            // counts as an agent hop (max_agent_hops bounds agent runs), and a spent budget ends the run instead.
            bounds = bounds with { AgentHopCount = bounds.AgentHopCount + 1 };
            if (CheckBounds(pipeline, bounds) is { } spent)
            {
                bounds = bounds with { TerminationReason = $"Bounds exceeded: {spent}" };
                return new ReportOutcome { Envelope = Step(e, outputs, pipeline, bounds, interrupts, audit), TerminalReason = spent };
            }

            return new ReportOutcome
            {
                Envelope = Step(e, outputs, pipeline, bounds, interrupts, audit),
                Interrupt = interrupt,
                ResumeStage = s.Pipeline.ResumeStage(interrupt.Kind, stage.Name),
            };
        }

        CompiledPipeline.Rule? rule = CompiledPipeline.Route(stage, outputElement);
        if (rule is null)
        {
            return new ReportOutcome { Envelope = Step(e, outputs, pipeline, bounds, interrupts, audit), TerminalReason = TerminalReason.Completed };
        }

        string target = rule.Target;
        if (s.Pipeline.EdgeLimit(stage.Name, target) is { } max && s.EdgeTraversals.GetValueOrDefault(rule.EdgeKey) >= max)
        {
            bounds = bounds with { TerminationReason = $"Edge limit exceeded: {stage.Name} -> {target}" };
            return new ReportOutcome { Envelope = Step(e, outputs, pipeline, bounds, interrupts, audit), TerminalReason = TerminalReason.MaxAgentHopsExceeded };
        }

        CompiledPipeline.Stage targetStage = s.Pipeline.Find(target)!;
        int loopBack = targetStage.Index <= stage.Index ? 1 : 0;
        pipeline = pipeline with { CurrentStage = target, Iteration = pipeline.Iteration + loopBack };
        bounds = bounds with { AgentHopCount = bounds.AgentHopCount + 1 };
        TerminalReason? exhausted = CheckBounds(pipeline, bounds);
        if (exhausted is not null)
        {
            bounds = bounds with { TerminationReason = $"Bounds exceeded: {exhausted}" };
        }

        return new ReportOutcome
        {
            Envelope = Step(e, outputs, pipeline, bounds, interrupts, audit),
            EdgeKey = rule.EdgeKey,
            TerminalReason = exhausted,
            Transition = (stage.Name, target),
            IterationsAdded = loopBack,
        };
    }

    /// <summary>The envelope after one step, built once.</summary>
    private static Envelope Step(
        Envelope e,
        ImmutableSortedDictionary<string, JsonElement> outputs,
        EnvelopePipeline pipeline,
        EnvelopeBounds bounds,
        EnvelopeInterrupts interrupts,
        EnvelopeAudit audit) =>
        e with { Outputs = outputs, Pipeline = pipeline, Bounds = bounds, Interrupts = interrupts, Audit = audit };

    public static void Commit(PipelineSession s, ReportOutcome outcome, DateTimeOffset now)
    {
        s.Envelope = outcome.Envelope;
        if (outcome.EdgeKey is { } edge)
        {
            s.EdgeTraversals[edge] = s.EdgeTraversals.GetValueOrDefault(edge) + 1;
        }

        s.LastActivityAt = now;
        if (outcome.TerminalReason is { } reason)
        {
            Terminate(s, reason, outcome.Envelope.Bounds.TerminationReason, now);
        }
    }

    /// <summary>Ends the run once: later calls keep the first reason and time.</summary>
    public static void Terminate(PipelineSession s, TerminalReason reason, string? message, DateTimeOffset now)
    {
        if (s.Terminated)
        {
            return;
        }

        s.Terminated = true;
        s.TerminalReason = reason;
        s.ResumeStage = null;

        // A finished run stays visible for the session retention, so its worker can read how it ended.
        s.LastActivityAt = now;
        Envelope e = s.Envelope;
        s.Envelope = e with
        {
            Bounds = e.Bounds with
            {
                Terminated = true,
                TerminalReason = reason,
                TerminationReason = e.Bounds.TerminationReason ?? message,
            },
            Interrupts = e.Interrupts.InterruptPending ? new EnvelopeInterrupts() : e.Interrupts,
            Audit = e.Audit with { CompletedAt = e.Audit.CompletedAt ?? now },
        };
    }

    public static SessionState State(PipelineSession s) => new()
    {
        ProcessId = s.Pid,
        CurrentStage = s.Envelope.Pipeline.CurrentStage,
        StageOrder = s.Envelope.Pipeline.StageOrder,
        Envelope = s.Envelope,
        EdgeTraversals = new Dictionary<string, int>(s.EdgeTraversals, StringComparer.Ordinal),
        Terminated = s.Terminated,
        TerminalReason = s.TerminalReason,
    };

    /// <summary>The first exhausted bound, checked LLM calls, iterations, agent hops, each with <c>&gt;=</c>.</summary>
    public static TerminalReason? CheckBounds(Envelope e) => CheckBounds(e.Pipeline, e.Bounds);

    private static TerminalReason? CheckBounds(EnvelopePipeline p, EnvelopeBounds b) =>
        b.LlmCallCount >= b.MaxLlmCalls ? TerminalReason.MaxLlmCallsExceeded :
        p.Iteration >= p.MaxIterations ? TerminalReason.MaxIterationsExceeded :
        b.AgentHopCount >= b.MaxAgentHops ? TerminalReason.MaxAgentHopsExceeded :
        null;

    public static string EdgeKey(string from, string to) => from + "->" + to;

    private static void RequireNonNegative(string field, long value)
    {
        if (value < 0)
        {
            throw KernelErrors.Validation($"metrics.{field} must be non-negative, got {value}");
        }
    }

    private static int Add(string field, int a, int b) => a > int.MaxValue - b ? throw KernelErrors.Validation($"{field} total would overflow") : a + b;

    private static long Add(string field, long a, long b) => a > long.MaxValue - b ? throw KernelErrors.Validation($"{field} total would overflow") : a + b;
}
