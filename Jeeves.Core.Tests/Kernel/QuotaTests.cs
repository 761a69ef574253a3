using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>Quota checks, usage recording and per-user totals (reference kernel/resources.rs).</summary>
public sealed class QuotaTests
{
    private static ProcessId P(string pid) => new(pid);

    private static KernelCore WithProcess(out Microsoft.Extensions.Time.Testing.FakeTimeProvider time, ResourceQuota? quota = null, string user = "user1")
    {
        var core = TestKernel.Create(out time);
        core.CreateProcess(P("p1"), new CreateProcessOptions { UserId = new UserId(user), Quota = quota });
        return core;
    }

    [Test]
    public void RecordUsage_AddsToProcessAndUser()
    {
        var core = WithProcess(out _);

        ResourceUsage u = core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 5, ToolCalls = 10, TokensIn = 1000, TokensOut = 500 });

        Assert.That((u.LlmCalls, u.ToolCalls, u.TokensIn, u.TokensOut), Is.EqualTo((5, 10, 1000L, 500L)));
        ResourceUsage total = core.GetUserUsage(new UserId("user1"))!.Value;
        Assert.That((total.LlmCalls, total.ToolCalls, total.TokensIn, total.TokensOut), Is.EqualTo((5, 10, 1000L, 500L)));
    }

    [Test]
    public void RecordUsage_AgentHopsIterationsAndInference_Recorded()
    {
        var core = WithProcess(out _);

        ResourceUsage u = core.RecordUsage(P("p1"), new UsageDelta { AgentHops = 2, Iterations = 1, InferenceRequests = 4, InferenceInputChars = 99 });

        Assert.That((u.AgentHops, u.Iterations, u.InferenceRequests, u.InferenceInputChars), Is.EqualTo((2, 1, 4, 99L)));
    }

    [Test]
    public void RecordUsage_PerUserAggregation_UsersKeptApart()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("a"), new CreateProcessOptions { UserId = new UserId("user1") });
        core.CreateProcess(P("b"), new CreateProcessOptions { UserId = new UserId("user1") });
        core.CreateProcess(P("c"), new CreateProcessOptions { UserId = new UserId("user2") });

        core.RecordUsage(P("a"), new UsageDelta { LlmCalls = 5, ToolCalls = 10, TokensIn = 1000, TokensOut = 500 });
        core.RecordUsage(P("b"), new UsageDelta { LlmCalls = 3, ToolCalls = 5, TokensIn = 500, TokensOut = 250 });
        core.RecordUsage(P("c"), new UsageDelta { LlmCalls = 1 });

        ResourceUsage user1 = core.GetUserUsage(new UserId("user1"))!.Value;
        Assert.That((user1.LlmCalls, user1.ToolCalls, user1.TokensIn, user1.TokensOut), Is.EqualTo((8, 15, 1500L, 750L)));
        Assert.That(core.GetUserUsage(new UserId("user2"))!.Value.LlmCalls, Is.EqualTo(1));
        Assert.That(core.Usage.Clear(new UserId("user1")), Is.True);
        Assert.That(core.GetUserUsage(new UserId("user1")), Is.Null);
    }

    [TestCase("llm_calls")]
    [TestCase("tool_calls")]
    [TestCase("agent_hops")]
    [TestCase("iterations")]
    [TestCase("tokens_in")]
    [TestCase("tokens_out")]
    [TestCase("inference_requests")]
    [TestCase("inference_input_chars")]
    public void RecordUsage_NegativeField_InvalidArgumentNamingFieldNothingRecorded(string field)
    {
        var core = WithProcess(out _);
        core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 1 });
        UsageDelta delta = field switch
        {
            "llm_calls" => new UsageDelta { LlmCalls = -1 },
            "tool_calls" => new UsageDelta { ToolCalls = -1 },
            "agent_hops" => new UsageDelta { AgentHops = -1 },
            "iterations" => new UsageDelta { Iterations = -1 },
            "tokens_in" => new UsageDelta { TokensIn = -1 },
            "tokens_out" => new UsageDelta { TokensOut = -1 },
            "inference_requests" => new UsageDelta { InferenceRequests = -1 },
            _ => new UsageDelta { InferenceInputChars = -1 },
        };

        var ex = Assert.Throws<KernelException>(() => core.RecordUsage(P("p1"), delta with { LlmCalls = delta.LlmCalls == -1 ? -1 : 7 }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo($"validation error: {field} must be non-negative, got -1"));
        Assert.That(core.GetProcess(P("p1"))!.Usage.LlmCalls, Is.EqualTo(1));
        Assert.That(core.GetUserUsage(new UserId("user1"))!.Value.LlmCalls, Is.EqualTo(1));
    }

    [Test]
    public void RecordUsage_Overflow_InvalidArgumentNothingRecorded()
    {
        var core = WithProcess(out _);
        core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = int.MaxValue - 1, TokensIn = 10 });

        var ex = Assert.Throws<KernelException>(() => core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 2, TokensIn = 5 }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo("validation error: llm_calls total would overflow"));
        Assert.That(core.GetProcess(P("p1"))!.Usage.TokensIn, Is.EqualTo(10));
        Assert.That(core.GetUserUsage(new UserId("user1"))!.Value.TokensIn, Is.EqualTo(10));
    }

    [Test]
    public void RecordUsage_UnknownPid_NotFoundBeforeValidation()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.RecordUsage(P("nope"), new UsageDelta { LlmCalls = -5 }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(ex.Message, Is.EqualTo("not found: Process nope not found"));
    }

    [Test]
    public void RecordUsage_TerminatedProcess_StillRecorded()
    {
        var core = WithProcess(out _);
        core.TerminateProcess(P("p1"));

        Assert.That(core.RecordUsage(P("p1"), new UsageDelta { ToolCalls = 2 }).ToolCalls, Is.EqualTo(2));
    }

    [Test]
    public void CheckQuota_WithinBounds_Passes()
    {
        var core = WithProcess(out _);
        core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 100, ToolCalls = 50, AgentHops = 10, TokensIn = 100_000 });

        QuotaCheckResult r = core.CheckQuota(P("p1"));

        Assert.That(r.WithinBounds, Is.True, "usage equal to the limit is allowed");
        Assert.That(r.ExceededReason, Is.Empty);
        Assert.That(r.Violation, Is.EqualTo(QuotaViolation.None));
    }

    [Test]
    public void CheckQuota_LlmCallsExceeded_ReferenceMessageAndEvent()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);
        core.CreateProcess(P("p1"), new CreateProcessOptions { Quota = new ResourceQuota { MaxLlmCalls = 10 } });
        core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 15 });
        events.Events.Clear();

        QuotaCheckResult r = core.CheckQuota(P("p1"));

        Assert.That(r.WithinBounds, Is.False);
        Assert.That(r.Violation, Is.EqualTo(QuotaViolation.LlmCalls));
        Assert.That(r.ExceededReason, Is.EqualTo("quota exceeded: Process p1 quota exceeded: llm_calls 15 > 10"));
        Assert.That(events.Types, Is.EqualTo(new[] { "resource.exhausted", "frontend.orchestrator.resource_exhausted" }));
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Ready), "a violation does not change the state");
    }

    [Test]
    public void CheckQuota_SeveralExceeded_FirstInFixedOrderWins()
    {
        var core = WithProcess(out _, new ResourceQuota { MaxAgentHops = 5, MaxInputTokens = 10_000 });
        core.RecordUsage(P("p1"), new UsageDelta { AgentHops = 10, TokensIn = 15_000 });

        QuotaCheckResult r = core.CheckQuota(P("p1"));

        Assert.That(r.Violation, Is.EqualTo(QuotaViolation.AgentHops));
        Assert.That(r.ExceededReason, Does.EndWith("agent_hops 10 > 5"));
    }

    [Test]
    public void CheckQuota_TokensExceeded_Reported()
    {
        var core = WithProcess(out _, new ResourceQuota { MaxInputTokens = 10_000 });
        core.RecordUsage(P("p1"), new UsageDelta { TokensIn = 15_000 });

        Assert.That(core.CheckQuota(P("p1")).ExceededReason, Does.EndWith("tokens_in 15000 > 10000"));
    }

    [Test]
    public void CheckQuota_RunningPastTimeout_LiveElapsedShortestDecimal()
    {
        var core = WithProcess(out var time);
        core.TransitionState(P("p1"), ProcessState.Running);
        time.Advance(TimeSpan.FromSeconds(300));

        Assert.That(core.CheckQuota(P("p1")).WithinBounds, Is.True, "exactly the timeout is allowed");

        time.Advance(TimeSpan.FromMilliseconds(1250));
        QuotaCheckResult r = core.CheckQuota(P("p1"));

        Assert.That(r.Violation, Is.EqualTo(QuotaViolation.Timeout));
        Assert.That(r.ExceededReason, Does.EndWith("elapsed_seconds 301.25 > 300"));
    }

    [Test]
    public void CheckQuota_WaitingTimeCountsTowardTheWallClockBudget()
    {
        var core = WithProcess(out var time, new ResourceQuota { TimeoutSeconds = 10 });
        core.TransitionState(P("p1"), ProcessState.Running);
        time.Advance(TimeSpan.FromSeconds(6));
        core.TransitionState(P("p1"), ProcessState.Waiting);
        time.Advance(TimeSpan.FromSeconds(6));
        core.ResumeProcess(P("p1"));
        core.TransitionState(P("p1"), ProcessState.Running);

        Assert.That(core.CheckQuota(P("p1")).Violation, Is.EqualTo(QuotaViolation.Timeout));
    }

    [Test]
    public void CheckQuota_ZeroLimit_FirstUnitIsAViolation()
    {
        var core = WithProcess(out _, new ResourceQuota { MaxToolCalls = 0 });

        Assert.That(core.CheckQuota(P("p1")).WithinBounds, Is.True);
        core.RecordUsage(P("p1"), new UsageDelta { ToolCalls = 1 });
        Assert.That(core.CheckQuota(P("p1")).Violation, Is.EqualTo(QuotaViolation.ToolCalls));
    }

    [Test]
    public void CheckQuota_UnknownPid_NotFound()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CheckQuota(P("nope")));

        Assert.That(ex!.Message, Is.EqualTo("not found: Process nope not found"));
    }

    [Test]
    public void UsageLedger_CleanupStaleUsers_KeepsActiveAndTrimsToMax()
    {
        var ledger = new UsageLedger();
        foreach (string u in new[] { "a", "b", "c", "d" })
        {
            ledger.Store(new UserId(u), new ResourceUsage { LlmCalls = 1 });
        }

        int removed = ledger.CleanupStaleUsers([new UserId("a"), new UserId("b"), new UserId("c")], maxEntries: 2);

        Assert.That(removed, Is.EqualTo(2));
        Assert.That(ledger.Count, Is.EqualTo(2));
        Assert.That(ledger.Get(new UserId("d")), Is.Null);
    }
}
