using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Kernel;
using Jeeves.Kernel.Orchestration;
using Microsoft.Extensions.Time.Testing;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// Pipeline orchestration invariants (spec orchestration.md §10: 1-18, 20), as this implementation defines them:
/// iteration counts loop-backs, bounds are checked after routing, GetNextInstruction only reads, a refused result
/// changes nothing, and a run is linked to its process (usage, termination, interrupts). Random pipelines run under a
/// well-behaved driver, which reports only after RUN_AGENT and stops at the first other instruction.
/// </summary>
public sealed class OrchestrationProperties
{
    private const string Owner = "u1";

    private static readonly ProcessId s_pid = new("orch-pid");

    private static readonly TerminalReason[] s_orchestratorReasons =
        [TerminalReason.Completed, TerminalReason.MaxIterationsExceeded, TerminalReason.MaxLlmCallsExceeded, TerminalReason.MaxAgentHopsExceeded];

    /// <summary>Every run ends: the driver meets TERMINATE after at most max(0, max_agent_hops) agent runs, with an orchestrator reason the envelope agrees with (9, 10).</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_TerminatesWithinTheAgentHopBudget(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act
        bool ended = d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        SessionState end = d.State();
        Assert.That(ended, Is.True, $"no TERMINATE after {d.Reports.Count} runs: {d.Last?.Kind}");
        Assert.That(end.Terminated, Is.True);
        Assert.That(d.Last!.TerminalReason, Is.EqualTo(end.TerminalReason));
        Assert.That(s_orchestratorReasons, Does.Contain(end.TerminalReason));
        Assert.That((end.Envelope.Bounds.Terminated, end.Envelope.Bounds.TerminalReason), Is.EqualTo((true, end.TerminalReason)), "envelope and session agree");
    }

    /// <summary>(1) agent_hop_count never exceeds max_agent_hops.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_HopsNeverExceedMaxAgentHops(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        foreach ((SessionState state, int i) in d.States.Select((s, i) => (s, i)))
        {
            Assert.That(state.Envelope.Bounds.AgentHopCount, Is.LessThanOrEqualTo(Math.Max(0, scenario.Config.MaxAgentHops)), $"after {i} reports");
            Assert.That(state.Envelope.Bounds.MaxAgentHops, Is.EqualTo(scenario.Config.MaxAgentHops));
        }
    }

    /// <summary>(3) iteration, which counts loop-backs, never exceeds max_iterations.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_IterationNeverExceedsMaxIterations(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        foreach ((SessionState state, int i) in d.States.Select((s, i) => (s, i)))
        {
            Assert.That(state.Envelope.Pipeline.Iteration, Is.LessThanOrEqualTo(Math.Max(0, scenario.Config.MaxIterations)), $"after {i} reports");
            Assert.That(state.Envelope.Pipeline.MaxIterations, Is.EqualTo(scenario.Config.MaxIterations));
        }
    }

    /// <summary>(2, 4) RUN_AGENT is never issued past a bound, so there are at most max(0, max_agent_hops) runs.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_RunsAtMostMaxAgentHopsAgentsAndNonePastABound(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act: allow a few runs too many, so that an excess shows.
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops) + 3);

        // Assert
        Assert.That(d.Reports, Has.Count.LessThanOrEqualTo(Math.Max(0, scenario.Config.MaxAgentHops)));
        foreach (Instruction run in d.Instructions.Where(i => i.Kind == InstructionKind.RunAgent))
        {
            Assert.That(KernelCore.CheckBounds(run.Envelope!).TerminalReason, Is.Null, "RUN_AGENT with an exhausted bound");
        }
    }

    /// <summary>(5) a limited edge is taken at most max(0, max_count) times, the first limit of an edge applying.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_EdgeLimits_TraversalsNeverExceedTheEdgesFirstLimit(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (EdgeLimit e in scenario.Config.EdgeLimits)
        {
            limits.TryAdd(e.FromStage + "->" + e.ToStage, e.MaxCount);
        }

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        foreach (SessionState state in d.States)
        {
            foreach ((string edge, int max) in limits)
            {
                Assert.That(state.EdgeTraversals.GetValueOrDefault(edge), Is.LessThanOrEqualTo(Math.Max(0, max)), edge);
            }
        }
    }

    /// <summary>(6) the edge traversals add up to agent_hop_count at every point.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_EdgeTraversalsSumToTheHopCount(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        foreach ((SessionState state, int i) in d.States.Select((s, i) => (s, i)))
        {
            Assert.That(state.EdgeTraversals.Values.Sum(), Is.EqualTo(state.Envelope.Bounds.AgentHopCount), $"after {i} reports");
        }
    }

    /// <summary>(7) the current stage is always a declared stage, and RUN_AGENT names the agent of its first declaration.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Run_AnyPipeline_CurrentStageIsAlwaysADeclaredStage(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);
        string[] names = OrchestrationArbitraries.NamesOf(scenario.Config);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        foreach (SessionState state in d.States)
        {
            Assert.That(names, Does.Contain(state.CurrentStage));
            Assert.That(state.Envelope.Pipeline.CurrentStage, Is.EqualTo(state.CurrentStage));
            Assert.That(state.StageOrder, Is.EqualTo(scenario.Config.Stages.Select(s => s.Name)));
        }

        foreach (Instruction run in d.Instructions.Where(i => i.Kind == InstructionKind.RunAgent))
        {
            Assert.That(run.AgentName, Is.EqualTo(FirstStage(scenario.Config, run.Envelope!.Pipeline.CurrentStage).Agent));
        }
    }

    /// <summary>(8) termination is absorbing: every later instruction is the same TERMINATE, every report is refused, and nothing changes.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Run_AfterTermination_EveryInstructionIsTheSameTerminateAndNothingChanges(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));
        SessionState end = d.State();
        string before = Canon(end);
        string process = Serialize(d.Core.GetProcess(s_pid));
        string agent = FirstStage(scenario.Config, end.CurrentStage).Agent;

        for (int i = 0; i < 3; i++)
        {
            // Act
            d.Time.Advance(TimeSpan.FromSeconds(7));
            Instruction next = d.Core.GetNextInstruction(s_pid);
            KernelException? refused = Assert.Throws<KernelException>(() => d.Core.ReportAgentResult(s_pid, scenario.StepAt(i).ToResult(agent, Owner)));

            // Assert
            Assert.That((next.Kind, next.TerminalReason, next.TerminationMessage), Is.EqualTo((InstructionKind.Terminate, end.TerminalReason, "Session already terminated")));
            Assert.That(refused!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
            Assert.That(Canon(d.State()), Is.EqualTo(before));
            Assert.That(Serialize(d.Core.GetProcess(s_pid)), Is.EqualTo(process));
        }
    }

    /// <summary>(11) GetNextInstruction changes nothing, and two calls in a row agree.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void GetNextInstruction_AnyPointOfARun_ChangesNothingAndTwoCallsAgree(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act and assert, before every instruction the driver takes.
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops), () =>
        {
            string state = Canon(d.State());
            string process = Serialize(d.Core.GetProcess(s_pid));
            string user = Serialize(d.Core.GetUserUsage(new UserId(Owner)));
            Instruction first = d.Core.GetNextInstruction(s_pid);
            Instruction second = d.Core.GetNextInstruction(s_pid);

            Assert.That(
                (second.Kind, second.AgentName, second.TerminalReason, second.TerminationMessage, second.InterruptPending),
                Is.EqualTo((first.Kind, first.AgentName, first.TerminalReason, first.TerminationMessage, first.InterruptPending)));
            Assert.That(Canon(second.Envelope!), Is.EqualTo(Canon(first.Envelope!)));
            Assert.That(Canon(d.State()), Is.EqualTo(state), "GetNextInstruction changed the session");
            Assert.That(Serialize(d.Core.GetProcess(s_pid)), Is.EqualTo(process), "GetNextInstruction changed the process");
            Assert.That(Serialize(d.Core.GetUserUsage(new UserId(Owner))), Is.EqualTo(user), "GetNextInstruction changed the user's usage");
        });
    }

    /// <summary>A refused result (terminated run, pending interrupt, wrong agent, negative metrics) throws and changes nothing.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void ReportAgentResult_Refused_ThrowsAndChangesNothing(BadReportCase c)
    {
        // Arrange
        var d = Driver.Start(c.Run);
        int budget = c.Kind == BadReport.AfterTermination ? Math.Max(0, c.Run.Config.MaxAgentHops) : Math.Min(c.At, Math.Max(0, c.Run.Config.MaxAgentHops));
        d.Run(budget);
        if (c.Kind == BadReport.DuringInterrupt && d.Last!.Kind == InstructionKind.RunAgent)
        {
            // The paused run counts as an agent hop, so a run on its last hop ends here instead of pausing; the
            // report below is then refused for the ended run, which is refused just the same.
            d.Report(c.Run.StepAt(d.Reports.Count) with { Interrupt = InterruptKind.Checkpoint });
            Assert.That(d.Next().Kind, Is.AnyOf(InstructionKind.WaitInterrupt, InstructionKind.Terminate));
        }

        SessionState state = d.State();
        string expectedAgent = FirstStage(c.Run.Config, state.CurrentStage).Agent;
        AgentResult valid = c.Run.StepAt(d.Reports.Count).ToResult(expectedAgent, Owner);
        AgentResult bad = c.Kind switch
        {
            BadReport.WrongAgent => valid with { AgentName = expectedAgent + "x" },
            BadReport.NegativeLlmCalls => valid with { Metrics = valid.Metrics with { LlmCalls = -1 } },
            BadReport.NegativeToolCalls => valid with { Metrics = valid.Metrics with { ToolCalls = -3 } },
            BadReport.NegativeTokensIn => valid with { Metrics = valid.Metrics with { TokensIn = -1 } },
            BadReport.NegativeTokensOut => valid with { Metrics = valid.Metrics with { TokensOut = long.MinValue } },
            BadReport.NegativeDuration => valid with { Metrics = valid.Metrics with { Duration = TimeSpan.FromMilliseconds(-5) } },
            _ => valid,
        };
        bool paused = state.Envelope.Interrupts.InterruptPending;
        KernelErrorCode expected = state.Terminated || paused || c.Kind == BadReport.WrongAgent
            ? KernelErrorCode.FailedPrecondition
            : KernelErrorCode.InvalidArgument;
        string before = Canon(state);
        string process = Serialize(d.Core.GetProcess(s_pid));
        string user = Serialize(d.Core.GetUserUsage(new UserId(Owner)));
        Instruction nextBefore = d.Core.GetNextInstruction(s_pid);

        // Act
        KernelException? refused = Assert.Throws<KernelException>(() => d.Core.ReportAgentResult(s_pid, bad));

        // Assert
        Assert.That(refused!.Code, Is.EqualTo(expected), refused.Message);
        Assert.That(Canon(d.State()), Is.EqualTo(before), "the session changed");
        Assert.That(Serialize(d.Core.GetProcess(s_pid)), Is.EqualTo(process), "the process changed");
        Assert.That(Serialize(d.Core.GetUserUsage(new UserId(Owner))), Is.EqualTo(user), "the user's usage changed");
        Instruction nextAfter = d.Core.GetNextInstruction(s_pid);
        Assert.That((nextAfter.Kind, nextAfter.AgentName, nextAfter.TerminalReason), Is.EqualTo((nextBefore.Kind, nextBefore.AgentName, nextBefore.TerminalReason)));
    }

    /// <summary>
    /// The run follows a direct model of the semantics: first-match routing with numbers by value, edge limits,
    /// loop-back iterations, bounds after routing (LLM → iterations → hops), completion on no match.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 400)]
    public void Run_AnyPipeline_FollowsTheModel(RunScenario scenario)
    {
        // Arrange
        ModelOutcome model = Model(scenario);
        var d = Driver.Start(scenario);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        SessionState end = d.State();
        EnvelopeBounds b = end.Envelope.Bounds;
        Assert.That(d.Reports.Select(r => r.Result.AgentName), Is.EqualTo(model.Agents), "agents run");
        Assert.That(
            (end.TerminalReason, end.CurrentStage, end.Envelope.Pipeline.Iteration, b.AgentHopCount, b.LlmCallCount),
            Is.EqualTo(((TerminalReason?)model.Reason, model.Stage, model.Iteration, model.Hops, model.LlmCalls)));
        Assert.That(end.EdgeTraversals, Is.EquivalentTo(model.Traversals));
        Assert.That(b.TerminationReason, Is.EqualTo(model.TerminationReason));
    }

    /// <summary>(15) a linear chain of N stages completes after exactly N runs under any max_iterations ≥ 1, with no loop-back spent.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Run_LinearPipeline_CompletesAfterExactlyNRunsUnderAnyMaxIterations(LinearCase c)
    {
        // Arrange
        var scenario = new RunScenario(c.Config, string.Empty, c.Steps);
        var d = Driver.Start(scenario);

        // Act
        bool ended = d.Run(c.StageCount);

        // Assert
        SessionState end = d.State();
        Assert.That(ended, Is.True);
        Assert.That(d.Reports.Select(r => r.Stage), Is.EqualTo(Enumerable.Range(0, c.StageCount).Select(LinearCase.Name)));
        Assert.That(end.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(
            (end.CurrentStage, end.Envelope.Pipeline.Iteration, end.Envelope.Bounds.AgentHopCount),
            Is.EqualTo((LinearCase.Name(c.StageCount - 1), 0, c.StageCount - 1)));
        Assert.That(
            end.Envelope.Pipeline.CompletedStageSet.Concat(end.Envelope.Pipeline.FailedStages.Keys),
            Is.EquivalentTo(Enumerable.Range(0, c.StageCount).Select(LinearCase.Name)));
    }

    /// <summary>(14) first match wins: rules after an unconditional rule, or a rule that cannot match put first, change nothing.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Routing_DeadRulesAddedBehindOrInFront_ChangeNothing(RoutingVariant v)
    {
        // Arrange
        PipelineConfig c = v.Run.Config;
        var stages = c.Stages.Select((s, i) =>
        {
            int always = s.Routing.ToList().FindIndex(r => r.Condition is null);
            IEnumerable<RoutingRule> rules = always < 0 ? s.Routing : [.. s.Routing.Take(always + 1), .. v.Extra.Skip(i % v.Extra.Count), .. s.Routing.Skip(always + 1)];
            return s with { Routing = [RoutingRule.When("never", i, s.Name), .. rules] };
        }).ToArray();
        RunScenario variant = v.Run with { Config = c with { Stages = stages } };
        Envelope envelope = NewEnvelope(v.Run.StartStage);

        // Act
        var original = Driver.Start(v.Run, envelope);
        original.Run(Math.Max(0, c.MaxAgentHops));
        var changed = Driver.Start(variant, envelope);
        changed.Run(Math.Max(0, c.MaxAgentHops));

        // Assert
        Assert.That(changed.Instructions.Select(Describe), Is.EqualTo(original.Instructions.Select(Describe)));
        Assert.That(Canon(changed.State()), Is.EqualTo(Canon(original.State())));
    }

    /// <summary>(14) a conditional rule matches exactly when the output has the key with a structurally equal value, numbers by value.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void Routing_ConditionalRule_MatchesExactlyOnStructurallyEqualValues(EqualityCase c)
    {
        // Arrange
        var config = new PipelineConfig
        {
            Name = "eq",
            Stages = [new PipelineStage("s0", "a0", [RoutingRule.When("k", c.RuleValue.ToNode(), "s1")]), new PipelineStage("s1", "a1")],
        };
        var output = new JsonObject();
        if (c.OutputValue is { } value)
        {
            output["k"] = value.ToNode();
        }

        KernelCore core = TestKernel.CreateUnlimited(out _);
        core.InitializeSession(s_pid, config, NewEnvelope(string.Empty));
        bool expected = c.OutputValue is { } v && JsonEqual(Parse(v.Json), Parse(c.RuleValue.Json));

        // Act
        Instruction next = core.ReportAgentResult(s_pid, new AgentResult { AgentName = "a0", Output = output });

        // Assert
        Assert.That(next.Kind, Is.EqualTo(expected ? InstructionKind.RunAgent : InstructionKind.Terminate));
        Assert.That(core.GetSessionState(s_pid).CurrentStage, Is.EqualTo(expected ? "s1" : "s0"));
    }

    /// <summary>(16) a pipeline is accepted exactly when its name is non-empty, it has a stage, and every target, edge end and resume stage is a stage; a refused one creates nothing.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void InitializeSession_AnyConfig_AcceptedExactlyWhenNamesAndReferencesAreValid(ConfigCase c)
    {
        // Arrange
        PipelineConfig config = c.Config;
        var names = config.Stages.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        bool valid = config.Name.Length > 0 && config.Stages.Count > 0 &&
            config.Stages.All(s => s.Routing.All(r => names.Contains(r.Target))) &&
            config.EdgeLimits.All(e => names.Contains(e.FromStage) && names.Contains(e.ToStage)) &&
            config.ResumeStages.Values.All(names.Contains);
        KernelCore core = TestKernel.CreateUnlimited(out _);

        // Act
        KernelException? error = null;
        try
        {
            core.InitializeSession(s_pid, config, NewEnvelope(string.Empty));
        }
        catch (KernelException e)
        {
            error = e;
        }

        // Assert
        Assert.That(error is null, Is.EqualTo(valid), error?.Message ?? "accepted");
        if (error is null)
        {
            Assert.That(core.GetSessionState(s_pid).StageOrder, Is.EqualTo(config.Stages.Select(s => s.Name)));
        }
        else
        {
            Assert.That(error.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
            Assert.That(core.GetProcess(s_pid), Is.Null, "a refused pipeline created a process");
            Assert.That(Assert.Throws<KernelException>(() => core.GetSessionState(s_pid))!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        }
    }

    /// <summary>
    /// (17) on a live run, re-initialising without force fails with AlreadyExists and changes nothing; with force it
    /// restarts the edge counters, keeps the supplied counters, and is terminated only when a bound is already spent.
    /// Once the run (and so its process) has ended, a forced re-init is refused and changes nothing.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void InitializeSession_Reinitialised_ForceRestartsTheSessionAndWithoutForceChangesNothing(ReinitCase c)
    {
        // Arrange
        var d = Driver.Start(c.Run);
        d.Run(Math.Min(c.At, Math.Max(0, c.Run.Config.MaxAgentHops)));
        SessionState state = d.State();
        string before = Canon(state);
        string process = Serialize(d.Core.GetProcess(s_pid));
        Envelope supplied = state.Envelope;

        // Act
        KernelException? plain = Assert.Throws<KernelException>(() => d.Core.InitializeSession(s_pid, c.Next, supplied));

        // Assert
        Assert.That(plain!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(Canon(d.State()), Is.EqualTo(before));
        Assert.That(Serialize(d.Core.GetProcess(s_pid)), Is.EqualTo(process));
        if (state.Terminated)
        {
            KernelException? forced = Assert.Throws<KernelException>(() => d.Core.InitializeSession(s_pid, c.Next, supplied, force: true));
            Assert.That(forced!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
            Assert.That(Canon(d.State()), Is.EqualTo(before));
            Assert.That(Serialize(d.Core.GetProcess(s_pid)), Is.EqualTo(process));
            return;
        }

        SessionState again = d.Core.InitializeSession(s_pid, c.Next, supplied, force: true);
        EnvelopeBounds b = again.Envelope.Bounds;
        EnvelopePipeline p = again.Envelope.Pipeline;
        TerminalReason? spent = b.LlmCallCount >= c.Next.MaxLlmCalls ? TerminalReason.MaxLlmCallsExceeded :
            p.Iteration >= c.Next.MaxIterations ? TerminalReason.MaxIterationsExceeded :
            b.AgentHopCount >= c.Next.MaxAgentHops ? TerminalReason.MaxAgentHopsExceeded : null;
        Assert.That(again.EdgeTraversals, Is.Empty);
        Assert.That((again.Terminated, again.TerminalReason), Is.EqualTo((spent is not null, spent)));
        Assert.That(
            (p.Iteration, b.AgentHopCount, b.LlmCallCount, b.ToolCallCount, b.TokensIn, b.TokensOut),
            Is.EqualTo((supplied.Pipeline.Iteration, supplied.Bounds.AgentHopCount, supplied.Bounds.LlmCallCount, supplied.Bounds.ToolCallCount, supplied.Bounds.TokensIn, supplied.Bounds.TokensOut)));
        Assert.That((p.MaxIterations, b.MaxLlmCalls, b.MaxAgentHops), Is.EqualTo((c.Next.MaxIterations, c.Next.MaxLlmCalls, c.Next.MaxAgentHops)));
        Assert.That(p.StageOrder, Is.EqualTo(c.Next.Stages.Select(s => s.Name)));
        Assert.That(again.CurrentStage, Is.EqualTo(StartOf(c.Next, supplied.Pipeline.CurrentStage)));
        ProcessState expectedState = spent is not null ? ProcessState.Terminated : d.Reports.Count > 0 ? ProcessState.Running : ProcessState.Ready;
        Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(expectedState));
    }

    /// <summary>(18) a failure is written into the agent's output and the audit; a success replaces the agent's output as reported.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void ReportAgentResult_AnyOutcome_IsRecordedUnderTheAgentName(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        JsonElement? lastFailure = null;
        for (int i = 0; i < d.Reports.Count; i++)
        {
            (string stage, AgentResult result) = d.Reports[i];
            Envelope e = d.States[i + 1].Envelope;
            string where = $"report {i} ({result.AgentName} at {stage})";
            JsonElement output = e.Outputs[result.AgentName];
            Assert.That(e.Audit.ProcessingHistory, Has.Count.EqualTo(i + 1), where);
            ProcessingRecord record = e.Audit.ProcessingHistory[^1];
            Assert.That((record.Agent, record.LlmCalls), Is.EqualTo((result.AgentName, result.Metrics.LlmCalls)), where);
            if (result.Success)
            {
                Assert.That(JsonEqual(output, Parse(result.Output!.ToJsonString())), Is.True, $"{where}: output {output}");
                Assert.That(e.Pipeline.CompletedStageSet, Does.Contain(stage), where);
                Assert.That(record.Status, Is.EqualTo(ProcessingStatus.Success), where);
            }
            else
            {
                Assert.That(output.GetProperty("success").ValueKind, Is.EqualTo(JsonValueKind.False), where);
                Assert.That(output.TryGetProperty("error", out JsonElement error) ? error.GetString() : string.Empty, Is.EqualTo(result.Error), where);
                Assert.That(e.Pipeline.FailedStages.ContainsKey(stage), Is.True, where);
                Assert.That(record.Status, Is.EqualTo(ProcessingStatus.Error), where);
                lastFailure = Parse(new JsonObject { ["agent_name"] = result.AgentName, ["error"] = result.Error }.ToJsonString());
            }

            bool recorded = e.Audit.Metadata.TryGetValue("last_agent_failure", out JsonElement failure);
            Assert.That(recorded, Is.EqualTo(lastFailure is not null), where);
            if (lastFailure is { } expected)
            {
                Assert.That(JsonEqual(failure, expected), Is.True, $"{where}: last_agent_failure {failure}");
            }
        }
    }

    /// <summary>
    /// Usage reported with results is charged to the process and its user in the same command; the first report
    /// starts the process, and the end of the run terminates it exactly once.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void ReportAgentResult_AnyRun_ChargesTheReportedUsageAndEndsTheProcessOnce(RunScenario scenario)
    {
        // Arrange
        var d = Driver.Start(scenario);
        Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(d.State().Terminated ? ProcessState.Terminated : ProcessState.Ready));

        // Act
        d.Run(Math.Max(0, scenario.Config.MaxAgentHops));

        // Assert
        AgentExecutionMetrics[] m = d.Reports.Select(r => r.Result.Metrics).ToArray();
        SessionState end = d.State();
        ProcessInfo process = d.Core.GetProcess(s_pid)!;
        var expected = (m.Sum(x => x.LlmCalls), m.Sum(x => x.ToolCalls), m.Sum(x => x.TokensIn ?? 0), m.Sum(x => x.TokensOut ?? 0), d.Reports.Count, end.Envelope.Pipeline.Iteration);
        ResourceUsage u = process.Usage;
        Assert.That((u.LlmCalls, u.ToolCalls, u.TokensIn, u.TokensOut, u.AgentHops, u.Iterations), Is.EqualTo(expected), "process usage");
        ResourceUsage user = d.Core.GetUserUsage(new UserId(Owner)) ?? default;
        Assert.That((user.LlmCalls, user.ToolCalls, user.TokensIn, user.TokensOut, user.AgentHops, user.Iterations), Is.EqualTo(expected), "user usage");
        EnvelopeBounds b = end.Envelope.Bounds;
        Assert.That((b.LlmCallCount, b.ToolCallCount, b.TokensIn, b.TokensOut), Is.EqualTo((expected.Item1, expected.Item2, expected.Item3, expected.Item4)), "envelope counters");
        Assert.That(process.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(d.Events.Events.Count(e => e.EventType == KernelEventTypes.ProcessTerminated), Is.EqualTo(1), "process.terminated events");
        foreach ((ProcessState state, int i) in d.ProcessStates.Select((s, i) => (s, i)))
        {
            bool ended = d.States[i + 1].Terminated;
            Assert.That(state, Is.EqualTo(ended ? ProcessState.Terminated : ProcessState.Running), $"after report {i}");
        }
    }

    /// <summary>
    /// A new session starts at the envelope's stage when it is declared, else at the first stage; when a bound is
    /// already spent it ends at once (first reason in LLM → iterations → hops order) and ends its process.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void InitializeSession_AnyEnvelope_StartsAtItsStageOrTheFirstAndEndsAtOnceWhenABoundIsSpent(InitCase c)
    {
        // Arrange
        KernelCore core = TestKernel.CreateUnlimited(out _);
        Envelope start = NewEnvelope(c.StartStage);
        start = start with
        {
            Pipeline = start.Pipeline with { Iteration = c.Iteration },
            Bounds = start.Bounds with { AgentHopCount = c.AgentHops, LlmCallCount = c.LlmCalls },
        };
        PipelineConfig p = c.Config;
        TerminalReason? spent = c.LlmCalls >= p.MaxLlmCalls ? TerminalReason.MaxLlmCallsExceeded :
            c.Iteration >= p.MaxIterations ? TerminalReason.MaxIterationsExceeded :
            c.AgentHops >= p.MaxAgentHops ? TerminalReason.MaxAgentHopsExceeded : null;
        string stage = StartOf(p, c.StartStage);

        // Act
        SessionState state = core.InitializeSession(s_pid, p, start);
        Instruction next = core.GetNextInstruction(s_pid);

        // Assert
        Assert.That(state.CurrentStage, Is.EqualTo(stage));
        Assert.That((state.Terminated, state.TerminalReason), Is.EqualTo((spent is not null, spent)));
        Assert.That(core.GetProcess(s_pid)!.State, Is.EqualTo(spent is null ? ProcessState.Ready : ProcessState.Terminated));
        if (spent is null)
        {
            Assert.That((next.Kind, next.AgentName), Is.EqualTo((InstructionKind.RunAgent, FirstStage(p, stage).Agent)));
        }
        else
        {
            Assert.That((next.Kind, next.TerminalReason), Is.EqualTo((InstructionKind.Terminate, spent)));
            Assert.That(state.Envelope.Bounds.TerminationReason, Is.EqualTo($"Bounds exceeded: {spent}"));
        }
    }

    /// <summary>
    /// An interrupt raised with a result pauses the run (WAIT_INTERRUPT, process WAITING, reports refused); resolving
    /// it as its owner resumes at the pipeline's resume stage for the kind, else the raising stage; cancelling it ends
    /// the run as USER_CANCELLED and terminates the process.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Interrupts_RaisedWithAResult_PauseThenResumeAtTheResumeStageOrEndOnCancel(InterruptRun r)
    {
        // Arrange
        var d = Driver.Start(r.Run);
        int interrupts = 0;
        string? resumeAt = null;

        for (int step = 0; step < 40; step++)
        {
            // Act
            Instruction next = d.Next();
            if (next.Kind == InstructionKind.Terminate)
            {
                return;
            }

            if (next.Kind == InstructionKind.RunAgent)
            {
                if (resumeAt is not null)
                {
                    Assert.That(d.State().CurrentStage, Is.EqualTo(resumeAt), "resumed at");
                    Assert.That(next.AgentName, Is.EqualTo(FirstStage(r.Run.Config, resumeAt).Agent));
                    resumeAt = null;
                }

                string stage = d.State().CurrentStage;
                AgentStep agentStep = r.Run.StepAt(d.Reports.Count);
                d.Report(agentStep);
                if (agentStep.Interrupt is { } kind)
                {
                    resumeAt = r.Run.Config.ResumeStages.TryGetValue(kind, out string? configured) ? configured : stage;
                }

                continue;
            }

            // Assert: paused.
            SessionState paused = d.State();
            Assert.That(resumeAt, Is.Not.Null, "WAIT_INTERRUPT without an interrupt raised");
            Assert.That((next.InterruptPending, paused.Terminated), Is.EqualTo((true, false)));
            Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(ProcessState.Waiting));
            string id = next.Interrupt!.Id;
            string agent = FirstStage(r.Run.Config, paused.CurrentStage).Agent;
            Assert.That(Assert.Throws<KernelException>(() => d.Core.ReportAgentResult(s_pid, AgentStep.Quiet.ToResult(agent, Owner)))!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
            Assert.That(Canon(d.State()), Is.EqualTo(Canon(paused)), "a refused report during the pause changed the session");

            if (r.CancelAt(interrupts++))
            {
                Assert.That(d.Core.CancelInterrupt(id), Is.True);
                Instruction end = d.Next();
                Assert.That((end.Kind, end.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.UserCancelled)));
                Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(ProcessState.Terminated));
                Assert.That(d.State().Terminated, Is.True);
                return;
            }

            Assert.That(d.Core.ResolveInterrupt(id, new InterruptResponse { Text = "ok" }, "someone-else"), Is.False, "resolved by another user");
            Assert.That(Canon(d.State()), Is.EqualTo(Canon(paused)), "a refused resolve changed the session");
            Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(ProcessState.Waiting));
            Assert.That(d.Core.ResolveInterrupt(id, new InterruptResponse { Text = "ok" }, Owner), Is.True);
            Assert.That(d.Core.GetProcess(s_pid)!.State, Is.EqualTo(ProcessState.Ready));
        }
    }

    /// <summary>(2) with interrupts too: RUN_AGENT is never issued while a bound is exhausted, also right after a resume.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Interrupts_ResolvedByTheOwner_NeverRunAnAgentPastABound(InterruptRun r)
    {
        // Arrange
        var d = Driver.Start(r.Run);

        for (int step = 0; step < 40; step++)
        {
            // Act
            Instruction next = d.Next();
            if (next.Kind == InstructionKind.Terminate)
            {
                return;
            }

            if (next.Kind == InstructionKind.WaitInterrupt)
            {
                d.Core.ResolveInterrupt(next.Interrupt!.Id, new InterruptResponse { Text = "ok" }, Owner);
                continue;
            }

            // Assert
            TerminalReason? spent = KernelCore.CheckBounds(next.Envelope!).TerminalReason;
            if (spent is not null)
            {
                Assert.Fail($"RUN_AGENT #{d.Reports.Count + 1} although {spent}: {Describe(next.Envelope!)}");
            }

            d.Report(r.Run.StepAt(d.Reports.Count));
        }
    }

    /// <summary>
    /// (4) with interrupts too: a run makes at most max(0, max_agent_hops) agent runs and then ends, however often its
    /// agents pause it (design decision 4: max_agent_hops bounds total agent runs).
    /// </summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 200)]
    public void Interrupts_ResolvedByTheOwner_RunAtMostMaxAgentHopsAgentsAndEnd(InterruptRun r)
    {
        // Arrange
        var d = Driver.Start(r.Run);
        int limit = Math.Max(0, r.Run.Config.MaxAgentHops);

        for (int step = 0; step < (2 * limit) + 4; step++)
        {
            // Act
            Instruction next = d.Next();
            if (next.Kind == InstructionKind.Terminate)
            {
                return;
            }

            if (next.Kind == InstructionKind.WaitInterrupt)
            {
                d.Core.ResolveInterrupt(next.Interrupt!.Id, new InterruptResponse { Text = "ok" }, Owner);
                continue;
            }

            // Assert
            if (d.Reports.Count >= limit)
            {
                Assert.Fail($"RUN_AGENT #{d.Reports.Count + 1} with max_agent_hops {r.Run.Config.MaxAgentHops}: {Describe(next.Envelope!)}");
            }

            d.Report(r.Run.StepAt(d.Reports.Count));
        }

        Assert.Fail($"no TERMINATE after {d.Reports.Count} agent runs");
    }

    /// <summary>(20) an update merges outputs per key (the update wins), sends unknown keys to audit.metadata, and never touches identity, pipeline or bounds.</summary>
    [Property(Arbitrary = new[] { typeof(OrchestrationArbitraries) }, MaxTest = 300)]
    public void EnvelopeUpdates_Merge_FollowsTheMergeRules(MergeCase c)
    {
        // Arrange
        Envelope envelope = NewEnvelope("s1") with
        {
            RawInput = "original",
            Outputs = c.Outputs.ToImmutableSortedDictionary(kv => kv.Key, kv => Parse(kv.Value), StringComparer.Ordinal),
            Bounds = new EnvelopeBounds { LlmCallCount = 2, AgentHopCount = 1, MaxAgentHops = 4 },
        };
        envelope = envelope with { Audit = envelope.Audit with { Metadata = c.Metadata.ToImmutableSortedDictionary(kv => kv.Key, kv => Parse(kv.Value), StringComparer.Ordinal) } };
        var update = new JsonObject();
        foreach ((string key, string json) in c.Update)
        {
            update[key] = JsonNode.Parse(json);
        }

        // The expected result, entry by entry.
        string rawInput = envelope.RawInput;
        var outputs = envelope.Outputs.ToDictionary(kv => kv.Key, kv => JsonNode.Parse(kv.Value.GetRawText())!.AsObject(), StringComparer.Ordinal);
        var metadata = envelope.Audit.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value.GetRawText(), StringComparer.Ordinal);
        foreach ((string key, string json) in c.Update)
        {
            JsonNode? value = JsonNode.Parse(json);
            switch (key)
            {
                case "raw_input" when value is JsonValue v && v.GetValueKind() == JsonValueKind.String:
                    rawInput = v.GetValue<string>();
                    break;
                case "raw_input":
                    break;
                case "metadata" when value is JsonObject o:
                    foreach ((string k, JsonNode? item) in o)
                    {
                        metadata[k] = item?.ToJsonString() ?? "null";
                    }

                    break;
                case "metadata":
                    break;
                case "outputs" when value is JsonObject o && o.All(kv => kv.Value is JsonObject):
                    foreach ((string agent, JsonNode? fields) in o)
                    {
                        JsonObject union = outputs.TryGetValue(agent, out JsonObject? existing) ? existing : [];
                        foreach ((string k, JsonNode? item) in fields!.AsObject())
                        {
                            union[k] = item?.DeepClone();
                        }

                        outputs[agent] = union;
                    }

                    break;
                case "outputs":
                    break;
                default:
                    metadata[key] = json;
                    break;
            }
        }

        // Act
        Envelope merged = EnvelopeUpdates.Merge(envelope, update);

        // Assert
        Assert.That(merged.RawInput, Is.EqualTo(rawInput));
        Assert.That(merged.Outputs.Keys, Is.EquivalentTo(outputs.Keys));
        foreach ((string agent, JsonObject expected) in outputs)
        {
            Assert.That(JsonEqual(merged.Outputs[agent], Parse(expected.ToJsonString())), Is.True, $"outputs[{agent}] = {merged.Outputs[agent]}");
        }

        Assert.That(merged.Audit.Metadata.Keys, Is.EquivalentTo(metadata.Keys));
        foreach ((string key, string expected) in metadata)
        {
            Assert.That(merged.Audit.Metadata[key].GetRawText(), Is.EqualTo(Parse(expected).GetRawText()), $"metadata[{key}]");
        }

        Assert.That(Serialize(merged.Identity), Is.EqualTo(Serialize(envelope.Identity)));
        Assert.That(Serialize(merged.Pipeline), Is.EqualTo(Serialize(envelope.Pipeline)));
        Assert.That(Serialize(merged.Bounds), Is.EqualTo(Serialize(envelope.Bounds)));
        Assert.That(Serialize(merged.Interrupts), Is.EqualTo(Serialize(envelope.Interrupts)));
        Assert.That(Serialize(merged with { RawInput = envelope.RawInput, Outputs = envelope.Outputs, Audit = merged.Audit with { Metadata = envelope.Audit.Metadata } }), Is.EqualTo(Serialize(envelope)));
    }

    private static Envelope NewEnvelope(string startStage)
    {
        Envelope e = Envelope.Create(TestKernel.Epoch, new CreateEnvelopeOptions { UserId = Owner, RequestId = "req-1", SessionId = "sess-1" });
        return e with { Pipeline = e.Pipeline with { CurrentStage = startStage } };
    }

    private static PipelineStage FirstStage(PipelineConfig config, string name) =>
        config.Stages.First(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    private static int IndexOf(PipelineConfig config, string name)
    {
        for (int i = 0; i < config.Stages.Count; i++)
        {
            if (string.Equals(config.Stages[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string StartOf(PipelineConfig config, string stage) => IndexOf(config, stage) >= 0 ? stage : config.Stages[0].Name;

    /// <summary>The semantics, stated directly: what a well-behaved driver's run of <paramref name="s"/> ends with.</summary>
    private static ModelOutcome Model(RunScenario s)
    {
        PipelineConfig c = s.Config;
        string current = StartOf(c, s.StartStage);
        int iteration = 0;
        int hops = 0;
        int llm = 0;
        var traversals = new Dictionary<string, int>(StringComparer.Ordinal);
        var agents = new List<string>();
        TerminalReason? Spent() =>
            llm >= c.MaxLlmCalls ? TerminalReason.MaxLlmCallsExceeded :
            iteration >= c.MaxIterations ? TerminalReason.MaxIterationsExceeded :
            hops >= c.MaxAgentHops ? TerminalReason.MaxAgentHopsExceeded : null;
        ModelOutcome End(TerminalReason reason, string? message) => new(agents, reason, current, iteration, hops, llm, traversals, message);

        if (Spent() is { } atStart)
        {
            return End(atStart, $"Bounds exceeded: {atStart}");
        }

        for (int run = 0; ; run++)
        {
            PipelineStage stage = FirstStage(c, current);
            AgentStep step = s.StepAt(run);
            agents.Add(stage.Agent);
            llm += step.LlmCalls;
            var output = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach ((string key, Val value) in step.Output)
            {
                output[key] = Parse(value.Json);
            }

            if (!step.Success)
            {
                output["success"] = Parse("false");
                if (step.Error.Length > 0)
                {
                    output["error"] = Parse(JsonSerializer.Serialize(step.Error));
                }
            }

            RoutingRule? match = stage.Routing.FirstOrDefault(r =>
                r.Condition is null || (output.TryGetValue(r.Condition, out JsonElement actual) && JsonEqual(actual, Parse(r.Value?.ToJsonString() ?? "null"))));
            if (match is null)
            {
                return End(TerminalReason.Completed, null);
            }

            string edge = current + "->" + match.Target;
            EdgeLimit? limit = c.EdgeLimits.FirstOrDefault(e =>
                string.Equals(e.FromStage, current, StringComparison.Ordinal) && string.Equals(e.ToStage, match.Target, StringComparison.Ordinal));
            if (limit is not null && traversals.GetValueOrDefault(edge) >= limit.MaxCount)
            {
                return End(TerminalReason.MaxAgentHopsExceeded, $"Edge limit exceeded: {current} -> {match.Target}");
            }

            traversals[edge] = traversals.GetValueOrDefault(edge) + 1;
            if (IndexOf(c, match.Target) <= IndexOf(c, current))
            {
                iteration++;
            }

            hops++;
            current = match.Target;
            if (Spent() is { } spent)
            {
                return End(spent, $"Bounds exceeded: {spent}");
            }
        }
    }

    /// <summary>Structural JSON equality: same kinds, numbers by value, strings by text, arrays in order, objects as key sets.</summary>
    private static bool JsonEqual(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                return decimal.Parse(a.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture) ==
                    decimal.Parse(b.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                JsonElement[] xs = [.. a.EnumerateArray()];
                JsonElement[] ys = [.. b.EnumerateArray()];
                return xs.Length == ys.Length && xs.Zip(ys).All(p => JsonEqual(p.First, p.Second));
            case JsonValueKind.Object:
                var xo = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                var yo = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                return xo.Count == yo.Count && xo.All(p => yo.TryGetValue(p.Key, out JsonElement other) && JsonEqual(p.Value, other));
            default:
                return true;
        }
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value);

    /// <summary>A canonical text of a session, so that sessions compare by value (immutable collections compare by reference).</summary>
    private static string Canon(SessionState s) => JsonSerializer.Serialize(new
    {
        Pid = s.ProcessId.Value,
        s.CurrentStage,
        s.StageOrder,
        Envelope = Canon(s.Envelope),
        Edges = s.EdgeTraversals.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray(),
        s.Terminated,
        s.TerminalReason,
    });

    private static string Canon(Envelope e) => JsonSerializer.Serialize(e);

    private static string Describe(Envelope e) =>
        $"stage {e.Pipeline.CurrentStage}, iteration {e.Pipeline.Iteration}/{e.Pipeline.MaxIterations}, llm {e.Bounds.LlmCallCount}/{e.Bounds.MaxLlmCalls}, " +
        $"hops {e.Bounds.AgentHopCount}/{e.Bounds.MaxAgentHops}";

    private static string Describe(Instruction i) => $"{i.Kind} {i.AgentName} {i.TerminalReason} {i.TerminationMessage}";

    private sealed record ModelOutcome(
        IReadOnlyList<string> Agents,
        TerminalReason Reason,
        string Stage,
        int Iteration,
        int Hops,
        int LlmCalls,
        IReadOnlyDictionary<string, int> Traversals,
        string? TerminationReason);

    /// <summary>A kernel with one session, and a well-behaved driver that records what it sees.</summary>
    private sealed class Driver
    {
        private readonly RunScenario _scenario;

        private Driver(RunScenario scenario, KernelCore core, FakeTimeProvider time, RecordingEventSink events)
        {
            _scenario = scenario;
            Core = core;
            Time = time;
            Events = events;
        }

        public KernelCore Core { get; }

        public FakeTimeProvider Time { get; }

        public RecordingEventSink Events { get; }

        /// <summary>The session after the init and after every report.</summary>
        public List<SessionState> States { get; } = [];

        /// <summary>The process state after every report.</summary>
        public List<ProcessState> ProcessStates { get; } = [];

        public List<Instruction> Instructions { get; } = [];

        /// <summary>Every accepted report, with the stage it ran at.</summary>
        public List<(string Stage, AgentResult Result)> Reports { get; } = [];

        public Instruction? Last => Instructions.Count == 0 ? null : Instructions[^1];

        public static Driver Start(RunScenario scenario, Envelope? envelope = null)
        {
            var events = new RecordingEventSink();
            KernelCore core = TestKernel.CreateUnlimited(out FakeTimeProvider time, events);
            var d = new Driver(scenario, core, time, events);
            d.States.Add(core.InitializeSession(s_pid, scenario.Config, envelope ?? NewEnvelope(scenario.StartStage)));
            return d;
        }

        public SessionState State() => Core.GetSessionState(s_pid);

        public Instruction Next()
        {
            Instruction next = Core.GetNextInstruction(s_pid);
            Instructions.Add(next);
            return next;
        }

        /// <summary>Reports <paramref name="step"/> as done by the instructed agent (the current stage's).</summary>
        public void Report(AgentStep step)
        {
            SessionState before = State();
            AgentResult result = step.ToResult(FirstStage(_scenario.Config, before.CurrentStage).Agent, Owner);
            Time.Advance(TimeSpan.FromMilliseconds(step.DurationMs + 1));
            Core.ReportAgentResult(s_pid, result);
            Reports.Add((before.CurrentStage, result));
            States.Add(State());
            ProcessStates.Add(Core.GetProcess(s_pid)!.State);
        }

        /// <summary>Runs the agents until an instruction other than RUN_AGENT; false when RUN_AGENT comes after <paramref name="maxRuns"/> runs.</summary>
        public bool Run(int maxRuns, Action? beforeNext = null)
        {
            for (int run = 0; ; run++)
            {
                beforeNext?.Invoke();
                Instruction next = Next();
                if (next.Kind != InstructionKind.RunAgent)
                {
                    return next.Kind == InstructionKind.Terminate;
                }

                if (run >= maxRuns)
                {
                    return false;
                }

                Report(_scenario.StepAt(Reports.Count));
            }
        }
    }
}
