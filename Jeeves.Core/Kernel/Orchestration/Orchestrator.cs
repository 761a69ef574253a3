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
        EnvelopePipeline p = envelope.Pipeline;
        EnvelopeBounds b = envelope.Bounds;
        EnvelopeAudit a = envelope.Audit;
        string current = pipeline.Find(p.CurrentStage ?? string.Empty) is null ? pipeline.FirstStage : p.CurrentStage!;

        // The parts that already say what the session needs (a new envelope's bounds and audit usually do) are shared.
        EnvelopePipeline pipelinePart =
            p.MaxIterations == config.MaxIterations && p.StageOrder == pipeline.StageOrder && ReferenceEquals(p.CurrentStage, current)
                ? p
                : p with { MaxIterations = config.MaxIterations, StageOrder = pipeline.StageOrder, CurrentStage = current };
        EnvelopeBounds boundsPart =
            b.MaxLlmCalls == config.MaxLlmCalls && b.MaxAgentHops == config.MaxAgentHops && !b.Terminated && b.TerminalReason is null && b.TerminationReason is null
                ? b
                : b with
                {
                    MaxLlmCalls = config.MaxLlmCalls,
                    MaxAgentHops = config.MaxAgentHops,
                    Terminated = false,
                    TerminalReason = null,
                    TerminationReason = null,
                };
        EnvelopeAudit auditPart = a.CompletedAt is null ? a : a with { CompletedAt = null };
        Envelope prepared = ReferenceEquals(pipelinePart, p) && ReferenceEquals(boundsPart, b) && ReferenceEquals(auditPart, a)
            ? envelope
            : envelope with { Pipeline = pipelinePart, Bounds = boundsPart, Audit = auditPart };

        var session = new PipelineSession(pid, pipeline, prepared, now);
        if (CheckBounds(prepared) is { } exhausted)
        {
            Terminate(session, exhausted, $"Bounds exceeded: {exhausted}", now);
        }

        _sessions[pid] = session;
        return session;
    }

    /// <summary>Decides the next instruction. Reads only (it remembers the instruction until the session changes).</summary>
    public static Instruction Next(PipelineSession s) => s.NextInstruction ??= Decide(s);

    private static Instruction Decide(PipelineSession s)
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

        // Everything the step changes is computed first, so that each part of the envelope is built at most once.
        EnvelopePipeline p = e.Pipeline;
        EnvelopeBounds b = e.Bounds;
        ImmutableSortedDictionary<string, JsonElement> metadata = e.Audit.Metadata;
        ImmutableSortedSet<string> completed = p.CompletedStageSet;
        ImmutableSortedSet<string> active = p.ActiveStages;
        ImmutableSortedDictionary<string, string> failedStages = p.FailedStages;
        if (result.Success)
        {
            if (!completed.Contains(stage.Name) || active.Contains(stage.Name))
            {
                completed = completed.Add(stage.Name);
                active = active.Remove(stage.Name);
            }
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
            failedStages = failedStages.SetItem(stage.Name, string.IsNullOrEmpty(result.Error) ? "failed" : result.Error);
            active = active.Remove(stage.Name);
        }

        var counts = new Counts
        {
            LlmCalls = Add("llm_calls", b.LlmCallCount, m.LlmCalls),
            ToolCalls = Add("tool_calls", b.ToolCallCount, m.ToolCalls),
            TokensIn = Add("tokens_in", b.TokensIn, m.TokensIn ?? 0),
            TokensOut = Add("tokens_out", b.TokensOut, m.TokensOut ?? 0),
            AgentHops = b.AgentHopCount,
            Iteration = p.Iteration,
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
        EnvelopeInterrupts interrupts = e.Interrupts.Interrupt is null ? e.Interrupts : EnvelopeInterrupts.None;
        string current = p.CurrentStage;
        string? terminationReason = b.TerminationReason;
        var outcome = new ReportOutcome { Envelope = e };

        if (result.Interrupt is { } interrupt)
        {
            // The run pauses at this stage; routing waits until the interrupt is resolved. The paused run still
            // counts as an agent hop (max_agent_hops bounds agent runs), and a spent budget ends the run instead.
            counts.AgentHops++;
            if (CheckBounds(counts, p.MaxIterations, b) is { } spent)
            {
                terminationReason = $"Bounds exceeded: {spent}";
                outcome = outcome with { TerminalReason = spent };
            }
            else
            {
                outcome = outcome with { Interrupt = interrupt, ResumeStage = s.Pipeline.ResumeStage(interrupt.Kind, stage.Name) };
            }
        }
        else if (CompiledPipeline.Route(stage, outputElement) is not { } rule)
        {
            outcome = outcome with { TerminalReason = TerminalReason.Completed };
        }
        else if (rule.EdgeLimit is { } max && s.Traversals(rule.Edge) >= max)
        {
            terminationReason = $"Edge limit exceeded: {stage.Name} -> {rule.Target}";
            outcome = outcome with { TerminalReason = TerminalReason.MaxAgentHopsExceeded };
        }
        else
        {
            CompiledPipeline.Stage targetStage = s.Pipeline.Find(rule.Target)!;
            int loopBack = targetStage.Index <= stage.Index ? 1 : 0;
            current = rule.Target;
            counts.Iteration += loopBack;
            counts.AgentHops++;
            TerminalReason? exhausted = CheckBounds(counts, p.MaxIterations, b);
            if (exhausted is not null)
            {
                terminationReason = $"Bounds exceeded: {exhausted}";
            }

            outcome = outcome with
            {
                Edge = rule.Edge,
                TerminalReason = exhausted,
                Transition = (stage.Name, rule.Target),
                IterationsAdded = loopBack,
            };
        }

        // A step that ends the run already carries its ending, as Terminate would write it, so committing it copies
        // nothing more.
        TerminalReason? ending = outcome.TerminalReason;
        EnvelopePipeline pipeline =
            ReferenceEquals(current, p.CurrentStage) && counts.Iteration == p.Iteration && ReferenceEquals(completed, p.CompletedStageSet) &&
            ReferenceEquals(active, p.ActiveStages) && ReferenceEquals(failedStages, p.FailedStages)
                ? p
                : p with { CurrentStage = current, Iteration = counts.Iteration, CompletedStageSet = completed, ActiveStages = active, FailedStages = failedStages };
        EnvelopeBounds bounds = b with
        {
            LlmCallCount = counts.LlmCalls,
            ToolCallCount = counts.ToolCalls,
            TokensIn = counts.TokensIn,
            TokensOut = counts.TokensOut,
            AgentHopCount = counts.AgentHops,
            TerminationReason = terminationReason,
            Terminated = b.Terminated || ending is not null,
            TerminalReason = ending ?? b.TerminalReason,
        };
        EnvelopeAudit audit = e.Audit with
        {
            Metadata = metadata,
            ProcessingHistory = e.Audit.ProcessingHistory.Add(record),
            CompletedAt = ending is null ? e.Audit.CompletedAt : e.Audit.CompletedAt ?? now,
        };

        return outcome with { Envelope = e with { Outputs = outputs, Pipeline = pipeline, Bounds = bounds, Interrupts = interrupts, Audit = audit } };
    }

    public static void Commit(PipelineSession s, ReportOutcome outcome, DateTimeOffset now)
    {
        s.Envelope = outcome.Envelope;
        if (outcome.Edge is { } edge)
        {
            s.CountTraversal(edge);
        }

        s.LastActivityAt = now;
        if (outcome.TerminalReason is { } reason)
        {
            // The envelope already says how the run ended (PlanReport wrote it).
            MarkTerminated(s, reason, now);
        }
    }

    /// <summary>Ends the run once: later calls keep the first reason and time.</summary>
    public static void Terminate(PipelineSession s, TerminalReason reason, string? message, DateTimeOffset now)
    {
        if (s.Terminated)
        {
            return;
        }

        MarkTerminated(s, reason, now);
        Envelope e = s.Envelope;
        s.Envelope = e with
        {
            Bounds = e.Bounds with
            {
                Terminated = true,
                TerminalReason = reason,
                TerminationReason = e.Bounds.TerminationReason ?? message,
            },
            Interrupts = e.Interrupts.InterruptPending ? EnvelopeInterrupts.None : e.Interrupts,
            Audit = e.Audit with { CompletedAt = e.Audit.CompletedAt ?? now },
        };
    }

    /// <summary>Records the end of the run on the session; the caller sees to the envelope.</summary>
    private static void MarkTerminated(PipelineSession s, TerminalReason reason, DateTimeOffset now)
    {
        s.Terminated = true;
        s.TerminalReason = reason;
        s.ResumeStage = null;

        // A finished run stays visible for the session retention, so its worker can read how it ended.
        s.LastActivityAt = now;
    }

    public static SessionState State(PipelineSession s) => new()
    {
        ProcessId = s.Pid,
        CurrentStage = s.Envelope.Pipeline.CurrentStage,
        StageOrder = s.Envelope.Pipeline.StageOrder == s.Pipeline.StageOrder ? s.Pipeline.BoxedStageOrder : s.Envelope.Pipeline.StageOrder,
        Envelope = s.Envelope,
        EdgeTraversals = s.CopyEdgeTraversals(),
        Terminated = s.Terminated,
        TerminalReason = s.TerminalReason,
    };

    /// <summary>The first exhausted bound, checked LLM calls, iterations, agent hops, each with <c>&gt;=</c>.</summary>
    public static TerminalReason? CheckBounds(Envelope e) =>
        CheckBounds(e.Bounds.LlmCallCount, e.Pipeline.Iteration, e.Bounds.AgentHopCount, e.Pipeline.MaxIterations, e.Bounds);

    private static TerminalReason? CheckBounds(in Counts c, int maxIterations, EnvelopeBounds limits) =>
        CheckBounds(c.LlmCalls, c.Iteration, c.AgentHops, maxIterations, limits);

    private static TerminalReason? CheckBounds(int llmCalls, int iteration, int agentHops, int maxIterations, EnvelopeBounds limits) =>
        llmCalls >= limits.MaxLlmCalls ? TerminalReason.MaxLlmCallsExceeded :
        iteration >= maxIterations ? TerminalReason.MaxIterationsExceeded :
        agentHops >= limits.MaxAgentHops ? TerminalReason.MaxAgentHopsExceeded :
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

    /// <summary>The counters one step moves, before they are written into the envelope.</summary>
    private struct Counts
    {
        public int LlmCalls { get; set; }

        public int ToolCalls { get; set; }

        public long TokensIn { get; set; }

        public long TokensOut { get; set; }

        public int AgentHops { get; set; }

        public int Iteration { get; set; }
    }
}
