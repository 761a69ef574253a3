using Jeeves.Kernel;
using static Jeeves.Tests.Kernel.Orchestration.Pipelines;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// The reference's worked example (§9): understand → think → respond with a capped loop-back, traced instruction by
/// instruction. Our iteration counts loop-backs (DESIGN decision 4), so the counters differ from the reference's
/// table only in that column.
/// </summary>
public sealed class WorkedExampleTests
{
    private readonly record struct Row(int Iteration, int Llm, int Hops, string Current, string Traversals, InstructionKind Kind, string? Agent);

    private static Row Snapshot(KernelCore core, ProcessId pid, Instruction i)
    {
        SessionState s = core.GetSessionState(pid);
        string traversals = string.Join(",", s.EdgeTraversals.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value}"));
        return new Row(s.Envelope.Pipeline.Iteration, s.Envelope.Bounds.LlmCallCount, s.Envelope.Bounds.AgentHopCount, s.CurrentStage, traversals, i.Kind, i.AgentName);
    }

    [Test]
    public void Trace_StepByStep()
    {
        var core = TestKernel.CreateUnlimited(out _);
        var pid = new ProcessId("p1");

        // 0: InitializeSession creates the process (READY), copies the bounds and starts at "understand".
        SessionState init = core.InitializeSession(pid, Qa(), NewEnvelope());
        Assert.That((init.CurrentStage, init.Terminated, init.TerminalReason), Is.EqualTo(("understand", false, (TerminalReason?)null)));
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Ready));

        // 1: GetNextInstruction.
        Instruction i = core.GetNextInstruction(pid);
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(0, 0, 0, "understand", "", InstructionKind.RunAgent, "understander")));

        // 2: understander → think (unconditional, unlimited edge).
        i = core.ReportAgentResult(pid, Result("understander", """{"intent":"question"}""", llm: 1));
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(0, 1, 1, "think", "understand->think:1", InstructionKind.RunAgent, "thinker")));

        // 3: thinker asks for more information: rule 1 loops back to understand (edge 0 < 1). A loop-back.
        i = core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":true}""", llm: 2));
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(1, 3, 2, "understand", "think->understand:1,understand->think:1", InstructionKind.RunAgent, "understander")));

        // 4: understander again; its output is replaced, not merged.
        i = core.ReportAgentResult(pid, Result("understander", """{"intent":"question","detail":"x"}""", llm: 1));
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(1, 4, 3, "think", "think->understand:1,understand->think:2", InstructionKind.RunAgent, "thinker")));

        // 5: thinker is satisfied: rule 1 fails (false ≠ true), rule 2 goes to respond.
        i = core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":false}""", llm: 2));
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(1, 6, 4, "respond", "think->respond:1,think->understand:1,understand->think:2", InstructionKind.RunAgent, "responder")));

        // 6: responder has no rules: the run completes, and the process with it.
        i = core.ReportAgentResult(pid, Result("responder", """{"response":"Paris"}""", llm: 1));
        Assert.That(Snapshot(core, pid, i), Is.EqualTo(new Row(1, 7, 4, "respond", "think->respond:1,think->understand:1,understand->think:2", InstructionKind.Terminate, null)));
        Assert.That((i.TerminalReason, i.TerminationMessage), Is.EqualTo(((TerminalReason?)TerminalReason.Completed, "Session already terminated")));

        // 7: polling again changes nothing.
        Assert.That(core.GetNextInstruction(pid).TerminalReason, Is.EqualTo(TerminalReason.Completed));

        Envelope final = core.GetSessionState(pid).Envelope;
        Assert.That(final.Pipeline.CompletedStageSet, Is.EquivalentTo(new[] { "understand", "think", "respond" }));
        Assert.That((final.Bounds.Terminated, final.Bounds.TerminalReason), Is.EqualTo((true, (TerminalReason?)TerminalReason.Completed)));
        Assert.That(final.Outputs.Keys, Is.EqualTo(new[] { "responder", "thinker", "understander" }));
        ProcessInfo process = core.GetProcess(pid)!;
        Assert.That(process.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That((process.Usage.LlmCalls, process.Usage.AgentHops, process.Usage.Iterations), Is.EqualTo((7, 5, 1)), "one accounting path: the process was charged as the run went");
    }

    [Test]
    public void Variant_EdgeLimitHit()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander"));
        core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":true}"""));
        core.ReportAgentResult(pid, Result("understander"));

        Instruction i = core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":true}"""));

        SessionState s = core.GetSessionState(pid);
        Assert.That((i.Kind, i.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.MaxAgentHopsExceeded)));
        Assert.That(s.Envelope.Bounds.TerminationReason, Is.EqualTo("Edge limit exceeded: think -> understand"));
        Assert.That((s.CurrentStage, s.Envelope.Bounds.AgentHopCount), Is.EqualTo(("think", 3)));
    }

    [Test]
    public void Variant_TightIterations_OneLoopBackAllowed()
    {
        // With max_iterations 1 the loop-back itself exhausts the budget; the linear path would still complete.
        var core = WithSession(out ProcessId pid, Qa(maxIterations: 1));
        core.ReportAgentResult(pid, Result("understander"));

        Instruction i = core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":true}"""));

        Assert.That(i.TerminalReason, Is.EqualTo(TerminalReason.MaxIterationsExceeded));

        var linear = WithSession(out ProcessId pid2, Qa(maxIterations: 1));
        linear.ReportAgentResult(pid2, Result("understander"));
        linear.ReportAgentResult(pid2, Result("thinker", """{"needs_more_info":false}"""));
        Assert.That(linear.ReportAgentResult(pid2, Result("responder")).TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public void Variant_Failure_UnconditionalRuleAdvances()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander"));

        Instruction i = core.ReportAgentResult(pid, Result("thinker") with { Success = false, Error = "llm down" });

        Assert.That(i.AgentName, Is.EqualTo("responder"));
        Assert.That(core.GetSessionState(pid).Envelope.Outputs["thinker"].GetRawText(), Is.EqualTo("""{"success":false,"error":"llm down"}"""));
    }
}
