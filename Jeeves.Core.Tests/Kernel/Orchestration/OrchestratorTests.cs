using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Kernel;
using static Jeeves.Tests.Kernel.Orchestration.Pipelines;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>The orchestrator's behaviours (reference orchestrator tests), in our semantics where DESIGN overrides.</summary>
public sealed class OrchestratorTests
{
    [Test]
    public void Initialize_EmptyCurrentStage_StartsAtFirstStage()
    {
        var core = TestKernel.CreateUnlimited(out _);

        SessionState s = core.InitializeSession(new ProcessId("p1"), Linear("stage1", "stage2"), NewEnvelope());

        Assert.That(s.CurrentStage, Is.EqualTo("stage1"));
        Assert.That(s.StageOrder, Is.EqualTo(new[] { "stage1", "stage2" }));
        Assert.That(s.Terminated, Is.False);
        Assert.That(s.Envelope.Bounds.MaxLlmCalls, Is.EqualTo(50));
        Assert.That(s.Envelope.Pipeline.MaxIterations, Is.EqualTo(10));
        Assert.That(s.Envelope.Bounds.MaxAgentHops, Is.EqualTo(20));
    }

    [TestCase("start")]
    [TestCase("nowhere")]
    public void Initialize_UnknownCurrentStage_StartsAtFirstStage(string stage)
    {
        // Reference quirk Q1: the default "start" made the first instruction fail.
        var core = TestKernel.CreateUnlimited(out _);

        SessionState s = core.InitializeSession(new ProcessId("p1"), Linear("a", "b"), NewEnvelope(stage));

        Assert.That(s.CurrentStage, Is.EqualTo("a"));
    }

    [Test]
    public void Initialize_KnownCurrentStage_Kept()
    {
        var core = TestKernel.CreateUnlimited(out _);

        Assert.That(core.InitializeSession(new ProcessId("p1"), Linear("a", "b"), NewEnvelope("b")).CurrentStage, Is.EqualTo("b"));
    }

    [Test]
    public void Initialize_Duplicate_AlreadyExistsUnlessForced()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));
        core.ReportAgentResult(pid, Result("agent_a"));

        var ex = Assert.Throws<KernelException>(() => core.InitializeSession(pid, Linear("a", "b"), NewEnvelope()));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(ex.Message, Does.Contain("already exists"));
        Assert.That(core.GetSessionState(pid).EdgeTraversals, Has.Count.EqualTo(1), "the refused init changed nothing");

        SessionState replaced = core.InitializeSession(pid, Linear("a", "b"), NewEnvelope(), force: true);
        Assert.That(replaced.EdgeTraversals, Is.Empty);
        Assert.That(replaced.CurrentStage, Is.EqualTo("a"));
    }

    [Test]
    public void Initialize_CreatesTheProcessFromTheEnvelopeWithEvent()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.CreateUnlimited(out _, events);
        Envelope envelope = NewEnvelope(user: "alice");

        core.InitializeSession(new ProcessId("p1"), Linear("a"), envelope);

        ProcessInfo p = core.GetProcess(new ProcessId("p1"))!;
        Assert.That((p.State, p.UserId.Value, p.RequestId.Value), Is.EqualTo((ProcessState.Ready, "alice", envelope.Identity.RequestId)));
        Assert.That(events.Types, Is.EqualTo(new[] { "process.created", "frontend.orchestrator.started", "orchestrator.session_started" }));
        Assert.That(core.GetSystemStatus().ActiveOrchestrationSessions, Is.EqualTo(1));
    }

    [Test]
    public void Initialize_InvalidPipeline_NothingCreated()
    {
        // Reference quirk Q9: the process was created before the pipeline was validated.
        var core = TestKernel.CreateUnlimited(out _);

        Assert.Throws<KernelException>(() => core.InitializeSession(new ProcessId("p1"), Linear("a") with { Name = string.Empty }, NewEnvelope()));

        Assert.That(core.GetProcess(new ProcessId("p1")), Is.Null);
        Assert.That(core.Orchestrator.Count, Is.Zero);
    }

    [Test]
    public void Initialize_TerminatedProcess_FailedPrecondition()
    {
        var core = TestKernel.CreateUnlimited(out _);
        core.CreateProcess(new ProcessId("p1"));
        core.TerminateProcess(new ProcessId("p1"));

        var ex = Assert.Throws<KernelException>(() => core.InitializeSession(new ProcessId("p1"), Linear("a"), NewEnvelope()));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
    }

    [Test]
    public void GetNext_AskedAgainWithoutAChange_SameInstanceUntilTheSessionChanges()
    {
        // Arrange
        var core = WithSession(out ProcessId pid, Linear("stage1", "stage2"));
        Instruction first = core.GetNextInstruction(pid);

        // Act
        Instruction again = core.GetNextInstruction(pid);
        Instruction reported = core.ReportAgentResult(pid, Result("agent_stage1"));
        Instruction afterReport = core.GetNextInstruction(pid);
        core.TerminateProcess(pid, "stop");
        Instruction afterTermination = core.GetNextInstruction(pid);

        // Assert
        Assert.That(again, Is.SameAs(first));
        Assert.That((reported.AgentName, reported.Envelope!.Pipeline.CurrentStage), Is.EqualTo(("agent_stage2", "stage2")));
        Assert.That(afterReport, Is.SameAs(reported));
        Assert.That((afterTermination.Kind, afterTermination.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.UserCancelled)));
        Assert.That(afterTermination.Envelope!.Bounds.Terminated, Is.True);
    }

    [TestCase("", "validation error: Pipeline name is required")]
    [TestCase("nostages", "validation error: Pipeline must have at least one stage")]
    [TestCase("badtarget", "validation error: Stage 'a' has routing target 'zzz' which does not exist in pipeline. Valid stages: a")]
    [TestCase("badfrom", "validation error: Edge limit from_stage 'x' does not exist")]
    [TestCase("badto", "validation error: Edge limit to_stage 'y' does not exist")]
    [TestCase("badresume", "validation error: Resume stage 'nope' for clarification interrupts does not exist in pipeline")]
    [TestCase("emptystage", "validation error: Invalid pipeline_config: every stage needs a non-empty name, a non-empty agent and a routing list")]
    public void Validation_ReferenceMessages(string which, string message)
    {
        PipelineConfig good = Linear("a");
        PipelineConfig config = which switch
        {
            "" => good with { Name = string.Empty },
            "nostages" => good with { Stages = [] },
            "badtarget" => good with { Stages = [new("a", "x", [RoutingRule.Always("zzz")])] },
            "badfrom" => good with { EdgeLimits = [new("x", "a", 1)] },
            "badto" => good with { EdgeLimits = [new("a", "y", 1)] },
            "emptystage" => good with { Stages = [new(string.Empty, "x")] },
            _ => good with { ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "nope" } },
        };
        var core = TestKernel.CreateUnlimited(out _);

        var ex = Assert.Throws<KernelException>(() => core.InitializeSession(new ProcessId("p1"), config, NewEnvelope()));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo(message));
    }

    [Test]
    public void GetNext_Running_RunAgentForCurrentStage()
    {
        var core = WithSession(out ProcessId pid, Linear("stage1", "stage2"));

        Instruction i = core.GetNextInstruction(pid);

        Assert.That((i.Kind, i.AgentName, i.InterruptPending), Is.EqualTo((InstructionKind.RunAgent, "agent_stage1", false)));
        Assert.That(i.Envelope!.Pipeline.CurrentStage, Is.EqualTo("stage1"));
        Assert.That(core.GetNextInstruction(pid), Is.EqualTo(i), "polling again gives the same instruction");
    }

    [Test]
    public void GetNext_UnknownProcess_NotFound()
    {
        var ex = Assert.Throws<KernelException>(() => TestKernel.Create(out _).GetNextInstruction(new ProcessId("ghost")));

        Assert.That(ex!.Message, Is.EqualTo("not found: Unknown process: ghost"));
    }

    [Test]
    public void GetNext_EnvelopeWithPendingInterrupt_WaitInterrupt()
    {
        var flow = new FlowInterrupt { Id = "int_0123456789abcdef", Kind = InterruptKind.Clarification, Question = "?" };
        Envelope envelope = NewEnvelope() with { Interrupts = new EnvelopeInterrupts { InterruptPending = true, Interrupt = flow } };
        var core = WithSession(out ProcessId pid, Linear("a"), envelope: envelope);

        Instruction i = core.GetNextInstruction(pid);

        Assert.That((i.Kind, i.InterruptPending, i.Interrupt), Is.EqualTo((InstructionKind.WaitInterrupt, true, flow)));
    }

    [TestCase(50, 0, 0, TerminalReason.MaxLlmCallsExceeded)]
    [TestCase(0, 10, 0, TerminalReason.MaxIterationsExceeded)]
    [TestCase(0, 0, 20, TerminalReason.MaxAgentHopsExceeded)]
    [TestCase(50, 10, 20, TerminalReason.MaxLlmCallsExceeded)]
    public void Initialize_BoundAlreadyExhausted_TerminatesAtOnce(int llm, int iterations, int hops, TerminalReason expected)
    {
        Envelope envelope = NewEnvelope() with
        {
            Bounds = new EnvelopeBounds { LlmCallCount = llm, AgentHopCount = hops },
            Pipeline = new EnvelopePipeline { CurrentStage = string.Empty, Iteration = iterations },
        };
        var core = WithSession(out ProcessId pid, Linear("a", "b"), envelope: envelope);

        Instruction i = core.GetNextInstruction(pid);

        Assert.That((i.Kind, i.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)expected)));
        Assert.That(i.Envelope!.Bounds.TerminationReason, Is.EqualTo($"Bounds exceeded: {expected}"));
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public void Report_Metrics_AddedAndChargedToTheProcess()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));

        core.ReportAgentResult(pid, Result("agent_a") with
        {
            Metrics = new AgentExecutionMetrics { LlmCalls = 2, ToolCalls = 5, TokensIn = 1000, TokensOut = 500, Duration = TimeSpan.FromMilliseconds(1234) },
        });

        EnvelopeBounds b = core.GetSessionState(pid).Envelope.Bounds;
        Assert.That((b.LlmCallCount, b.ToolCallCount, b.TokensIn, b.TokensOut, b.AgentHopCount), Is.EqualTo((2, 5, 1000L, 500L, 1)));
        ResourceUsage u = core.GetProcess(pid)!.Usage;
        Assert.That((u.LlmCalls, u.ToolCalls, u.TokensIn, u.TokensOut, u.AgentHops, u.Iterations), Is.EqualTo((2, 5, 1000L, 500L, 1, 0)));
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Running), "the first report starts the process");
        ProcessingRecord record = core.GetSessionState(pid).Envelope.Audit.ProcessingHistory.Single();
        Assert.That((record.Agent, record.DurationMs, record.LlmCalls, record.Status), Is.EqualTo(("agent_a", 1234, 2, ProcessingStatus.Success)));
    }

    [Test]
    public void Report_UnknownTokens_LeaveCountersAlone()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));

        core.ReportAgentResult(pid, Result("agent_a", llm: 1));

        Assert.That((core.GetSessionState(pid).Envelope.Bounds.TokensIn, core.GetSessionState(pid).Envelope.Bounds.TokensOut), Is.EqualTo((0L, 0L)));
    }

    [Test]
    public void SessionState_HasIdentityAndEnvelope()
    {
        var core = WithSession(out ProcessId pid, Linear("a"));

        SessionState s = core.GetSessionState(pid);

        Assert.That(s.ProcessId, Is.EqualTo(pid));
        Assert.That(s.Envelope.Identity.RequestId, Does.StartWith("req_"));
        Assert.That(Assert.Throws<KernelException>(() => core.GetSessionState(new ProcessId("nope")))!.Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    [Test]
    public void Routing_ConditionalBeforeCatchAll_FirstMatchWins()
    {
        var config = new PipelineConfig
        {
            Name = "r",
            Stages =
            [
                new("s1", "a1", [RoutingRule.When("intent", "skip", "s3"), RoutingRule.Always("s2")]),
                new("s2", "a2"),
                new("s3", "a3"),
            ],
        };
        var core = WithSession(out ProcessId pid, config);

        Instruction next = core.ReportAgentResult(pid, Result("a1", """{"intent":"skip"}"""));

        Assert.That(next.AgentName, Is.EqualTo("a3"));
        Assert.That(core.GetSessionState(pid).Terminated, Is.False);
    }

    [Test]
    public void Routing_TwoIdenticalConditions_FirstTargetWins()
    {
        var config = new PipelineConfig
        {
            Name = "r",
            Stages = [new("s1", "a1", [RoutingRule.When("go", true, "s2"), RoutingRule.When("go", true, "s3")]), new("s2", "a2"), new("s3", "a3")],
        };
        var core = WithSession(out ProcessId pid, config);

        Assert.That(core.ReportAgentResult(pid, Result("a1", """{"go":true}""")).AgentName, Is.EqualTo("a2"));
    }

    [TestCase("1", "1.0", true)]
    [TestCase("2.50", "2.5", true)]
    [TestCase("true", "1", false)]
    [TestCase("\"1\"", "1", false)]
    [TestCase("null", "null", true)]
    [TestCase("{\"a\":[1,2],\"b\":null}", "{\"b\":null,\"a\":[1,2]}", true)]
    [TestCase("[1,2]", "[2,1]", false)]
    public void Routing_ValueEquality_NumbersByValueOtherwiseStrict(string ruleValue, string outputValue, bool matches)
    {
        // Reference quirk Q12: 1 and 1.0 did not match.
        var config = new PipelineConfig
        {
            Name = "r",
            Stages = [new("s1", "a1", [RoutingRule.When("k", JsonNode.Parse(ruleValue), "s2")]), new("s2", "a2")],
        };
        var core = WithSession(out ProcessId pid, config);

        Instruction next = core.ReportAgentResult(pid, Result("a1", $$"""{"k":{{outputValue}}}"""));

        Assert.That(next.Kind, Is.EqualTo(matches ? InstructionKind.RunAgent : InstructionKind.Terminate));
    }

    [Test]
    public void Routing_KeyAbsent_NoMatchEvenForNullValue()
    {
        var config = new PipelineConfig { Name = "r", Stages = [new("s1", "a1", [RoutingRule.When("k", null, "s2")]), new("s2", "a2")] };
        var core = WithSession(out ProcessId pid, config);

        Assert.That(core.ReportAgentResult(pid, Result("a1")).TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public void LinearChain_ThreeStages_CompletesAfterThreeRuns()
    {
        var core = WithSession(out ProcessId pid, Linear("s1", "s2", "s3") with { MaxIterations = 1, MaxAgentHops = 3 });
        var agents = new List<string>();

        Instruction i = core.GetNextInstruction(pid);
        while (i.Kind == InstructionKind.RunAgent)
        {
            agents.Add(i.AgentName!);
            i = core.ReportAgentResult(pid, Result(i.AgentName!));
        }

        Assert.That(agents, Is.EqualTo(new[] { "agent_s1", "agent_s2", "agent_s3" }));
        Assert.That((i.Kind, i.TerminalReason, i.TerminationMessage), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.Completed, "Session already terminated")));
        SessionState s = core.GetSessionState(pid);
        Assert.That((s.Envelope.Pipeline.Iteration, s.Envelope.Bounds.AgentHopCount), Is.EqualTo((0, 2)));
        Assert.That(s.Envelope.Pipeline.CompletedStageSet, Is.EquivalentTo(new[] { "s1", "s2", "s3" }));
        Assert.That(s.Envelope.Audit.CompletedAt, Is.Not.Null);
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Terminated), "the process ends with its run");
    }

    [Test]
    public void BackwardCycle_EndsWhenLoopBacksReachMaxIterations()
    {
        var config = new PipelineConfig
        {
            Name = "cycle",
            Stages = [new("s1", "a1", [RoutingRule.Always("s2")]), new("s2", "a2", [RoutingRule.Always("s1")])],
            MaxIterations = 2,
            MaxAgentHops = 100,
            MaxLlmCalls = 100,
        };
        var core = WithSession(out ProcessId pid, config);
        int runs = 0;

        Instruction i = core.GetNextInstruction(pid);
        while (i.Kind == InstructionKind.RunAgent)
        {
            runs++;
            i = core.ReportAgentResult(pid, Result(i.AgentName!));
        }

        Assert.That(i.TerminalReason, Is.EqualTo(TerminalReason.MaxIterationsExceeded));
        Assert.That(runs, Is.EqualTo(4), "two passes through the loop of two stages");
        Assert.That(core.GetSessionState(pid).Envelope.Pipeline.Iteration, Is.EqualTo(2));
        Assert.That(core.GetProcess(pid)!.Usage.Iterations, Is.EqualTo(2));
    }

    [Test]
    public void NoRules_SingleStage_Completes()
    {
        var core = WithSession(out ProcessId pid, Linear("only"));

        Assert.That(core.ReportAgentResult(pid, Result("agent_only")).TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public void EdgeLimit_LoopCapped_MaxAgentHopsWithEdgeMessage()
    {
        var config = new PipelineConfig
        {
            Name = "capped",
            Stages = [new("s1", "a1", [RoutingRule.Always("s2")]), new("s2", "a2", [RoutingRule.Always("s1")])],
            MaxIterations = 100,
            MaxAgentHops = 100,
            MaxLlmCalls = 100,
            EdgeLimits = [new EdgeLimit("s2", "s1", 2)],
        };
        var core = WithSession(out ProcessId pid, config);
        int reports = 0;

        Instruction i = core.GetNextInstruction(pid);
        while (i.Kind == InstructionKind.RunAgent)
        {
            reports++;
            i = core.ReportAgentResult(pid, Result(i.AgentName!));
        }

        SessionState s = core.GetSessionState(pid);
        Assert.That(i.TerminalReason, Is.EqualTo(TerminalReason.MaxAgentHopsExceeded));
        Assert.That(reports, Is.EqualTo(6));
        Assert.That(s.Envelope.Bounds.TerminationReason, Is.EqualTo("Edge limit exceeded: s2 -> s1"));
        Assert.That(s.CurrentStage, Is.EqualTo("s2"));
        Assert.That(s.EdgeTraversals["s2->s1"], Is.EqualTo(2));
    }

    [Test]
    public void EdgeTracking_CountsTransitions()
    {
        var core = WithSession(out ProcessId pid, Linear("stage1", "stage2"));

        core.ReportAgentResult(pid, Result("agent_stage1"));

        Assert.That(core.GetSessionState(pid).EdgeTraversals, Is.EqualTo(new Dictionary<string, int> { ["stage1->stage2"] = 1 }));
    }

    [Test]
    public void HopsBound_ReachedByRouting_TerminatesBeforeTheNextRun()
    {
        var core = WithSession(out ProcessId pid, Linear("s1", "s2", "s3") with { MaxAgentHops = 2 });

        core.ReportAgentResult(pid, Result("agent_s1"));
        Instruction i = core.ReportAgentResult(pid, Result("agent_s2"));

        Assert.That((i.Kind, i.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.MaxAgentHopsExceeded)));
    }

    [Test]
    public void LlmBound_ReachedMidRun_TerminatesButCompletionWins()
    {
        var core = WithSession(out ProcessId pid, Linear("s1", "s2") with { MaxLlmCalls = 3 });
        Assert.That(core.ReportAgentResult(pid, Result("agent_s1", llm: 3)).TerminalReason, Is.EqualTo(TerminalReason.MaxLlmCallsExceeded));

        var done = WithSession(out ProcessId pid2, Linear("only") with { MaxLlmCalls = 3 });
        Assert.That(done.ReportAgentResult(pid2, Result("agent_only", llm: 5)).TerminalReason, Is.EqualTo(TerminalReason.Completed), "the work finished");
    }

    [Test]
    public void Report_Failure_RecordedAsFailedStageAndRoutable()
    {
        var config = new PipelineConfig
        {
            Name = "retry",
            Stages = [new("s1", "a1", [RoutingRule.When("success", false, "s1"), RoutingRule.Always("s2")]), new("s2", "a2")],
        };
        var core = WithSession(out ProcessId pid, config);

        Instruction i = core.ReportAgentResult(pid, Result("a1", """{"partial":1}""") with { Success = false, Error = "llm down" });

        Envelope e = core.GetSessionState(pid).Envelope;
        Assert.That(i.AgentName, Is.EqualTo("a1"), "the failure rule loops back");
        Assert.That(e.Outputs["a1"].GetRawText(), Is.EqualTo("""{"partial":1,"success":false,"error":"llm down"}"""));
        Assert.That(e.Pipeline.FailedStages["s1"], Is.EqualTo("llm down"));
        Assert.That(e.Pipeline.CompletedStageSet, Does.Not.Contain("s1"));
        Assert.That(e.Audit.Metadata["last_agent_failure"].GetRawText(), Is.EqualTo("""{"agent_name":"a1","error":"llm down"}"""));
        Assert.That(e.Audit.ProcessingHistory.Single().Status, Is.EqualTo(ProcessingStatus.Error));
    }

    [Test]
    public void Report_OutputReplacedNotMerged()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander", """{"intent":"question"}"""));
        core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":true}"""));

        core.ReportAgentResult(pid, Result("understander", """{"detail":"x"}"""));

        Assert.That(core.GetSessionState(pid).Envelope.Outputs["understander"].GetRawText(), Is.EqualTo("""{"detail":"x"}"""));
    }

    [Test]
    public void Report_BadInput_RefusedAndNothingChanges()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));
        SessionState before = core.GetSessionState(pid);
        ProcessInfo processBefore = core.GetProcess(pid)!;
        (AgentResult Result, KernelErrorCode Code)[] bad =
        [
            (Result("agent_b"), KernelErrorCode.FailedPrecondition),
            (Result("agent_a") with { Metrics = new AgentExecutionMetrics { LlmCalls = -1 } }, KernelErrorCode.InvalidArgument),
            (Result("agent_a") with { Metrics = new AgentExecutionMetrics { TokensOut = -5 } }, KernelErrorCode.InvalidArgument),
            (Result("agent_a") with { Interrupt = new CreateInterruptRequest { Kind = (InterruptKind)42 } }, KernelErrorCode.InvalidArgument),
        ];

        foreach ((AgentResult result, KernelErrorCode code) in bad)
        {
            var ex = Assert.Throws<KernelException>(() => core.ReportAgentResult(pid, result));
            Assert.That(ex!.Code, Is.EqualTo(code), ex.Message);
        }

        Assert.That(Assert.Throws<KernelException>(() => core.ReportAgentResult(new ProcessId("ghost"), Result("x")))!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(core.GetSessionState(pid).Envelope, Is.SameAs(before.Envelope));
        Assert.That(core.GetProcess(pid), Is.SameAs(processBefore));
    }

    [Test]
    public void Report_WrongAgent_MessageNamesBoth()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));

        var ex = Assert.Throws<KernelException>(() => core.ReportAgentResult(pid, Result("agent_b")));

        Assert.That(ex!.Message, Is.EqualTo("state transition error: Expected a result from agent 'agent_a' for stage 'a', got 'agent_b'"));
    }

    [Test]
    public void Report_AfterTermination_RefusedAndTerminationAbsorbing()
    {
        var core = WithSession(out ProcessId pid, Linear("a"));
        core.ReportAgentResult(pid, Result("agent_a"));
        Envelope final = core.GetSessionState(pid).Envelope;

        var ex = Assert.Throws<KernelException>(() => core.ReportAgentResult(pid, Result("agent_a")));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        Assert.That(core.GetSessionState(pid).Envelope, Is.SameAs(final));
        Assert.That(core.GetNextInstruction(pid).TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public void Report_UsageOverflow_RefusedAndNothingChanges()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b", "c") with { MaxLlmCalls = int.MaxValue });
        core.RecordUsage(pid, new UsageDelta { TokensIn = long.MaxValue - 1 });
        Envelope before = core.GetSessionState(pid).Envelope;

        var ex = Assert.Throws<KernelException>(() => core.ReportAgentResult(pid, Result("agent_a") with { Metrics = new AgentExecutionMetrics { TokensIn = 10 } }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.GetSessionState(pid).Envelope, Is.SameAs(before));
    }

    [Test]
    public void TerminateProcess_EndsTheRunAsCancelled()
    {
        // Reference quirk Q4: the orchestrator kept issuing RUN_AGENT for a terminated process.
        var core = WithSession(out ProcessId pid, Linear("a", "b"));

        core.TerminateProcess(pid, "user stopped");

        Instruction i = core.GetNextInstruction(pid);
        Assert.That((i.Kind, i.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.UserCancelled)));
        Assert.That(i.Envelope!.Bounds.TerminationReason, Is.EqualTo("user stopped"));
        Assert.That(i.Envelope.Audit.CompletedAt, Is.Not.Null);
    }

    [Test]
    public void Events_RunLifecycle()
    {
        var events = new RecordingEventSink();
        var core = WithSession(out ProcessId pid, Linear("a", "b"), events);
        events.Events.Clear();

        core.GetNextInstruction(pid);
        core.ReportAgentResult(pid, Result("agent_a"));
        core.ReportAgentResult(pid, Result("agent_b"));

        Assert.That(events.Types, Is.EqualTo(new[]
        {
            "orchestrator.agent_instructed",
            "orchestrator.agent_reported", "orchestrator.stage_transition", "orchestrator.agent_instructed",
            "orchestrator.agent_reported", "orchestrator.session_terminated", "process.terminated",
        }));
        JsonObject terminated = events.Events.Single(e => e.EventType == "orchestrator.session_terminated").Payload;
        Assert.That((string?)terminated["terminal_reason"], Is.EqualTo("COMPLETED"));
    }

    [Test]
    public void Cleanup_IdleSessionPastRetention_EndedAndRemoved()
    {
        var core = TestKernel.CreateUnlimited(out var time);
        var pid = new ProcessId("p1");
        core.InitializeSession(pid, Linear("a", "b"), NewEnvelope());
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        CleanupStats stats = core.RunCleanup();

        Assert.That(stats.SessionsRemoved, Is.EqualTo(1));
        Assert.That(core.Orchestrator.Count, Is.Zero);
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Terminated), "an abandoned run's process is ended too");
    }

    [Test]
    public void Cleanup_ProcessCollected_SessionGoesWithIt()
    {
        var core = TestKernel.CreateUnlimited(out var time);
        var pid = new ProcessId("p1");
        core.InitializeSession(pid, Linear("a"), NewEnvelope());
        core.ReportAgentResult(pid, Result("agent_a"));
        time.Advance(TimeSpan.FromMinutes(30));
        core.GetNextInstruction(pid);
        time.Advance(TimeSpan.FromHours(24));

        core.RunCleanup();

        Assert.That(core.GetProcess(pid), Is.Null);
        Assert.That(core.Orchestrator.Count, Is.Zero);
    }

    [Test]
    public void Engine_CreateCloneUpdateCheckBounds()
    {
        var core = TestKernel.CreateUnlimited(out _);

        Envelope e = core.CreateEnvelope(new CreateEnvelopeOptions { RawInput = "hi", StageOrder = ["x", "y"] });
        Envelope clone = core.CloneEnvelope(e);
        Envelope updated = core.UpdateEnvelope(e with { RawInput = "changed" });
        BoundsCheckResult bounds = KernelCore.CheckBounds(e with { Bounds = e.Bounds with { LlmCallCount = 10 } });

        Assert.That(e.Identity.EnvelopeId, Does.Match("^env_[0-9a-f]{16}$"));
        Assert.That((e.Pipeline.CurrentStage, e.RawInput, e.Identity.UserId), Is.EqualTo(("x", "hi", "anonymous")));
        Assert.That(clone.Identity.EnvelopeId, Is.Not.EqualTo(e.Identity.EnvelopeId));
        Assert.That(clone with { Identity = e.Identity }, Is.EqualTo(e));
        Assert.That(updated.RawInput, Is.EqualTo("changed"));
        Assert.That((bounds.CanContinue, bounds.TerminalReason, bounds.LlmCallsRemaining, bounds.IterationsRemaining, bounds.AgentHopsRemaining),
            Is.EqualTo((false, (TerminalReason?)TerminalReason.MaxLlmCallsExceeded, 0, 3, 21)));
        Assert.That(core.EngineEnvelopeCount, Is.EqualTo(2));
        Assert.That(Assert.Throws<KernelException>(() => core.UpdateEnvelope(Envelope.Create(TestKernel.Epoch)))!.Code, Is.EqualTo(KernelErrorCode.NotFound));
    }

    [Test]
    public void Engine_ExecutePipeline_RunsKeyedByEnvelopeIdWithoutAProcess()
    {
        var core = TestKernel.CreateUnlimited(out _);
        Envelope e = core.CreateEnvelope();

        Instruction first = core.ExecutePipeline(e, Linear("a", "b"));
        var pid = new ProcessId(e.Identity.EnvelopeId);
        Instruction second = core.ReportAgentResult(pid, Result("agent_a", llm: 1));

        Assert.That((first.Kind, first.AgentName), Is.EqualTo((InstructionKind.RunAgent, "agent_a")));
        Assert.That(second.AgentName, Is.EqualTo("agent_b"));
        Assert.That(core.GetProcess(pid), Is.Null);
        Assert.That(Assert.Throws<KernelException>(() => core.ExecutePipeline(e, Linear("a")))!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
    }

    [Test]
    public void GetNext_NeverChangesState()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander"));
        SessionState before = core.GetSessionState(pid);

        for (int n = 0; n < 3; n++)
        {
            core.GetNextInstruction(pid);
        }

        SessionState after = core.GetSessionState(pid);
        Assert.That(after.Envelope, Is.SameAs(before.Envelope));
        Assert.That(after.EdgeTraversals, Is.EqualTo(before.EdgeTraversals));
    }

    [Test]
    public void Envelope_JsonValuesAreImmutableSnapshots()
    {
        var core = WithSession(out ProcessId pid, Linear("a", "b"));
        JsonObject output = JsonNode.Parse("""{"k":1}""")!.AsObject();
        core.ReportAgentResult(pid, Result("agent_a") with { Output = output });

        output["k"] = 2;

        Assert.That(core.GetSessionState(pid).Envelope.Outputs["agent_a"].GetProperty("k").GetInt32(), Is.EqualTo(1));
        Assert.That(core.GetSessionState(pid).Envelope.Outputs["agent_a"].ValueKind, Is.EqualTo(JsonValueKind.Object));
    }
}
