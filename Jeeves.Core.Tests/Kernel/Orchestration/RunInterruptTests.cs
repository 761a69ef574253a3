using Jeeves.Kernel;
using static Jeeves.Tests.Kernel.Orchestration.Pipelines;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>Interrupts inside a run (DESIGN decision 6): pause, wait, owner resumes, run continues; cancel or expiry ends it.</summary>
public sealed class RunInterruptTests
{
    private static readonly CreateInterruptRequest Ask = new() { Kind = InterruptKind.Clarification, UserId = "user1", Question = "Which city?" };

    [Test]
    public void AgentRaises_WaitWrongUserOwnerResumesCompletes()
    {
        var events = new RecordingEventSink();
        var core = WithSession(out ProcessId pid, Qa(), events);
        core.ReportAgentResult(pid, Result("understander"));

        // The thinker needs the user: it raises a clarification with its result.
        Instruction wait = core.ReportAgentResult(pid, Result("thinker", """{"draft":"?"}""") with { Interrupt = Ask });

        Assert.That((wait.Kind, wait.InterruptPending), Is.EqualTo((InstructionKind.WaitInterrupt, true)));
        string id = wait.Interrupt!.Id;
        Assert.That((wait.Interrupt.Kind, wait.Interrupt.Question), Is.EqualTo((InterruptKind.Clarification, "Which city?")));
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Waiting));
        Assert.That(core.GetNextInstruction(pid).Kind, Is.EqualTo(InstructionKind.WaitInterrupt), "polling keeps waiting");
        Assert.That(Assert.Throws<KernelException>(() => core.ReportAgentResult(pid, Result("thinker")))!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));

        Assert.That(core.ResolveInterrupt(id, new InterruptResponse { Text = "Paris" }, "mallory"), Is.False);
        Assert.That(core.GetNextInstruction(pid).Kind, Is.EqualTo(InstructionKind.WaitInterrupt));

        Assert.That(core.ResolveInterrupt(id, new InterruptResponse { Text = "Paris" }, "user1"), Is.True);

        // The run continues at the stage that raised the interrupt, with the answer in the envelope.
        Instruction resumed = core.GetNextInstruction(pid);
        Assert.That((resumed.Kind, resumed.AgentName), Is.EqualTo((InstructionKind.RunAgent, "thinker")));
        Assert.That(resumed.Envelope!.Interrupts.InterruptPending, Is.False);
        Assert.That(resumed.Envelope.Interrupts.Interrupt!.Response!.Text, Is.EqualTo("Paris"));
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Ready));

        Instruction next = core.ReportAgentResult(pid, Result("thinker", """{"needs_more_info":false}"""));
        Assert.That(next.Envelope!.Interrupts.Interrupt, Is.Null, "the answer was consumed by the next result");
        Instruction done = core.ReportAgentResult(pid, Result("responder"));
        Assert.That(done.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(events.Types, Does.Contain("interrupt.created").And.Contain("interrupt.resolved").And.Contain("process.resumed"));
    }

    [Test]
    public void AgentRaises_ResumeStageConfiguredForKind_ContinuesThere()
    {
        PipelineConfig config = Qa() with { ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "understand" } };
        var core = WithSession(out ProcessId pid, config);
        core.ReportAgentResult(pid, Result("understander"));
        Instruction wait = core.ReportAgentResult(pid, Result("thinker") with { Interrupt = Ask });

        core.ResolveInterrupt(wait.Interrupt!.Id, new InterruptResponse { Text = "Rome" }, "user1");

        Assert.That(core.GetNextInstruction(pid).AgentName, Is.EqualTo("understander"));
    }

    [Test]
    public void ClientRaisesForProcess_BetweenAgents_RunPausesThenResumes()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander"));

        KernelInterrupt raised = core.CreateInterrupt(Ask with { ProcessId = pid, Kind = InterruptKind.Confirmation, Message = "Proceed?" });

        Assert.That(core.GetNextInstruction(pid).Kind, Is.EqualTo(InstructionKind.WaitInterrupt));
        core.ResolveInterrupt(raised.Id, new InterruptResponse { Approved = true }, "user1");
        Assert.That(core.GetNextInstruction(pid).AgentName, Is.EqualTo("thinker"));
    }

    [Test]
    public void Cancelled_RunEndsUserCancelledAndProcessTerminated()
    {
        var core = WithSession(out ProcessId pid, Qa());
        Instruction wait = core.ReportAgentResult(pid, Result("understander") with { Interrupt = Ask });

        core.CancelInterrupt(wait.Interrupt!.Id, "user left");

        Instruction end = core.GetNextInstruction(pid);
        Assert.That((end.Kind, end.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.UserCancelled)));
        Assert.That(end.Envelope!.Bounds.TerminationReason, Is.EqualTo($"interrupt {wait.Interrupt.Id} cancelled"));
        Assert.That(end.Envelope.Interrupts.InterruptPending, Is.False);
        Assert.That(core.GetProcess(pid)!.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public void Expired_RunEndsWithClearReason()
    {
        var core = TestKernel.CreateUnlimited(out var time);
        var pid = new ProcessId("p1");
        core.InitializeSession(pid, Qa(), NewEnvelope());
        Instruction wait = core.ReportAgentResult(pid, Result("understander") with { Interrupt = Ask with { Kind = InterruptKind.Confirmation } });

        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        core.RunCleanup();

        Instruction end = core.GetNextInstruction(pid);
        Assert.That(end.TerminalReason, Is.EqualTo(TerminalReason.UserCancelled));
        Assert.That(end.Envelope!.Bounds.TerminationReason, Is.EqualTo($"interrupt {wait.Interrupt!.Id} expired"));
    }

    [Test]
    public void ExpiredResourceExhausted_RunResumesWithoutAnswer()
    {
        var core = TestKernel.CreateUnlimited(out var time);
        var pid = new ProcessId("p1");
        core.InitializeSession(pid, Qa(), NewEnvelope());
        core.ReportAgentResult(pid, Result("understander") with { Interrupt = new CreateInterruptRequest { Kind = InterruptKind.ResourceExhausted } });

        time.Advance(TimeSpan.FromMinutes(6));
        core.ExpireInterrupts();

        Assert.That(core.GetNextInstruction(pid).AgentName, Is.EqualTo("understander"), "resumed at the stage that raised it");
    }

    [Test]
    public void ResumeProcessByHand_ClearsInterruptAndMergesUpdate()
    {
        var core = WithSession(out ProcessId pid, Qa());
        core.ReportAgentResult(pid, Result("understander") with { Interrupt = Ask });

        core.ResumeProcess(pid, System.Text.Json.Nodes.JsonNode.Parse("""{"raw_input":"new question","metadata":{"k":1},"outputs":{"understander":{"extra":true}},"note":"x"}""")!.AsObject());

        Envelope e = core.GetSessionState(pid).Envelope;
        Assert.That(e.Interrupts.InterruptPending, Is.False);
        Assert.That(e.RawInput, Is.EqualTo("new question"));
        Assert.That(e.Audit.Metadata["k"].GetInt32(), Is.EqualTo(1));
        Assert.That(e.Audit.Metadata["note"].GetString(), Is.EqualTo("x"));
        Assert.That(e.Outputs["understander"].GetProperty("extra").GetBoolean(), Is.True);
        Assert.That(core.GetNextInstruction(pid).AgentName, Is.EqualTo("understander"), "a run paused by its agent continues at that stage");
    }
}
