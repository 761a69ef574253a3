using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>Envelope defaults and enum spellings (reference envelope tests).</summary>
public sealed class EnvelopeTests
{
    [Test]
    public void Create_ReferenceDefaults()
    {
        Envelope e = Envelope.Create(TestKernel.Epoch);

        Assert.That(e.Identity.EnvelopeId, Does.Match("^env_[0-9a-f]{16}$"));
        Assert.That(e.Identity.RequestId, Does.Match("^req_[0-9a-f]{16}$"));
        Assert.That(e.Identity.SessionId, Does.Match("^sess_[0-9a-f]{16}$"));
        Assert.That(e.Identity.UserId, Is.EqualTo("anonymous"));
        Assert.That((e.RawInput, e.ReceivedAt, e.Audit.CreatedAt, e.Audit.CompletedAt), Is.EqualTo((string.Empty, TestKernel.Epoch, TestKernel.Epoch, (DateTimeOffset?)null)));
        Assert.That((e.Pipeline.CurrentStage, e.Pipeline.Iteration, e.Pipeline.MaxIterations, e.Pipeline.ParallelMode), Is.EqualTo(("start", 0, 3, false)));
        Assert.That((e.Bounds.LlmCallCount, e.Bounds.MaxLlmCalls, e.Bounds.ToolCallCount, e.Bounds.AgentHopCount, e.Bounds.MaxAgentHops), Is.EqualTo((0, 10, 0, 0, 21)));
        Assert.That((e.Bounds.TokensIn, e.Bounds.TokensOut, e.Bounds.Terminated, e.Bounds.TerminalReason, e.Bounds.TerminationReason),
            Is.EqualTo((0L, 0L, false, (TerminalReason?)null, (string?)null)));
        Assert.That((e.Interrupts.InterruptPending, e.Interrupts.Interrupt), Is.EqualTo((false, (FlowInterrupt?)null)));
        Assert.That((e.Execution.CurrentStageNumber, e.Execution.MaxStages), Is.EqualTo((1, 5)));
        Assert.That(e.Outputs, Is.Empty);
        Assert.That(e.Pipeline.StageOrder, Is.Empty);
        Assert.That(e.Audit.ProcessingHistory, Is.Empty);
        Assert.That(e.Audit.Metadata, Is.Empty);
    }

    [Test]
    public void Create_WithOptions_EmptyValuesTakeDefaults()
    {
        Envelope e = Envelope.Create(TestKernel.Epoch, new CreateEnvelopeOptions { RequestId = string.Empty, UserId = "bob", StageOrder = [] });

        Assert.That(e.Identity.RequestId, Does.StartWith("req_"));
        Assert.That(e.Identity.UserId, Is.EqualTo("bob"));
        Assert.That(e.Pipeline.CurrentStage, Is.EqualTo("start"));
    }

    [Test]
    public void CheckBounds_AtLimit_LlmThenIterationsThenHops()
    {
        Envelope e = Envelope.Create(TestKernel.Epoch);

        Assert.That(KernelCore.CheckBounds(e with { Bounds = e.Bounds with { LlmCallCount = 10, AgentHopCount = 21 } }).TerminalReason, Is.EqualTo(TerminalReason.MaxLlmCallsExceeded));
        Assert.That(KernelCore.CheckBounds(e with { Bounds = e.Bounds with { AgentHopCount = 21 } }).TerminalReason, Is.EqualTo(TerminalReason.MaxAgentHopsExceeded));
        Assert.That(KernelCore.CheckBounds(e with { Bounds = e.Bounds with { LlmCallCount = 5, AgentHopCount = 10 } }).CanContinue, Is.True);
    }

    [Test]
    public void WireNames_EveryTerminalReasonInstructionKindAndProcessingStatus()
    {
        Assert.That(Enum.GetValues<TerminalReason>().Select(WireNames.ToWire), Is.EqualTo(new[]
        {
            "COMPLETED", "MAX_ITERATIONS_EXCEEDED", "MAX_LLM_CALLS_EXCEEDED", "MAX_AGENT_HOPS_EXCEEDED",
            "USER_CANCELLED", "TOOL_FAILED_FATALLY", "LLM_FAILED_FATALLY", "POLICY_VIOLATION",
        }));
        Assert.That(Enum.GetValues<InstructionKind>().Select(WireNames.ToWire), Is.EqualTo(new[] { "RUN_AGENT", "TERMINATE", "WAIT_INTERRUPT" }));
        Assert.That(Enum.GetValues<ProcessingStatus>().Select(WireNames.ToWire), Is.EqualTo(new[] { "running", "success", "error", "skipped" }));
        foreach (TerminalReason r in Enum.GetValues<TerminalReason>())
        {
            Assert.That(WireNames.TryParseTerminalReason(WireNames.ToWire(r), out TerminalReason back) && back == r, Is.True);
        }

        foreach (ProcessingStatus st in Enum.GetValues<ProcessingStatus>())
        {
            Assert.That(WireNames.TryParseProcessingStatus(WireNames.ToWire(st), out ProcessingStatus back) && back == st, Is.True);
        }

        Assert.That(WireNames.TryParseTerminalReason("completed", out _), Is.False, "case-sensitive inside envelopes");
    }
}
