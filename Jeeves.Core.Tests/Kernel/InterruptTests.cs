using System.Text.Json.Nodes;
using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>Interrupts (reference kernel/interrupts.rs, Q14–Q16 fixed) and their link to processes (design decision 6).</summary>
public sealed class InterruptTests
{
    private static ProcessId P(string pid) => new(pid);

    private static CreateInterruptRequest Clarification(string session = "sess1", string request = "req1", string user = "user1") => new()
    {
        Kind = InterruptKind.Clarification,
        RequestId = request,
        UserId = user,
        SessionId = session,
        EnvelopeId = "env1",
        Question = "Which city?",
    };

    private static KernelCore RunningProcess(out Microsoft.Extensions.Time.Testing.FakeTimeProvider time, RecordingEventSink? events = null, Action<KernelOptions>? configure = null)
    {
        var core = TestKernel.Create(out time, configure, events);
        core.CreateProcess(P("p1"), new CreateProcessOptions { UserId = new UserId("user1"), SessionId = new SessionId("sess1") });
        core.GetNextRunnable();
        core.TransitionState(P("p1"), ProcessState.Running);
        return core;
    }

    [Test]
    public void Create_Clarification_PendingWithIdsQuestionAndTtl()
    {
        var core = TestKernel.Create(out var time);

        KernelInterrupt i = core.CreateInterrupt(Clarification());

        Assert.That(i.Kind, Is.EqualTo(InterruptKind.Clarification));
        Assert.That(i.Status, Is.EqualTo(InterruptStatus.Pending));
        Assert.That(i.Id, Does.Match("^int_[0-9a-f]{16}$"));
        Assert.That((i.RequestId, i.UserId, i.SessionId, i.EnvelopeId), Is.EqualTo(("req1", "user1", "sess1", "env1")));
        Assert.That(i.Question, Is.EqualTo("Which city?"));
        Assert.That(i.Data, Is.Not.Null.And.Empty);
        Assert.That(i.CreatedAt, Is.EqualTo(time.GetUtcNow()));
        Assert.That(i.ExpiresAt, Is.EqualTo(time.GetUtcNow().AddHours(24)));
        Assert.That(i.ResolvedAt, Is.Null);
        Assert.That(core.Interrupts.PendingCount(), Is.EqualTo(1));
    }

    [TestCase(InterruptKind.Clarification, 24 * 60)]
    [TestCase(InterruptKind.Confirmation, 60)]
    [TestCase(InterruptKind.AgentReview, 30)]
    [TestCase(InterruptKind.ResourceExhausted, 5)]
    [TestCase(InterruptKind.Timeout, 5)]
    [TestCase(InterruptKind.SystemError, 60)]
    public void Create_EachKind_ExpiresAfterItsTtl(InterruptKind kind, int minutes)
    {
        var core = TestKernel.Create(out _);

        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = kind });

        Assert.That(i.ExpiresAt - i.CreatedAt, Is.EqualTo(TimeSpan.FromMinutes(minutes)));
    }

    [Test]
    public void Create_Checkpoint_NeverExpires()
    {
        var core = TestKernel.Create(out var time);

        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Checkpoint });
        time.Advance(TimeSpan.FromDays(365));

        Assert.That(i.ExpiresAt, Is.Null);
        Assert.That(core.GetInterrupt(i.Id)!.Status, Is.EqualTo(InterruptStatus.Pending));
    }

    [Test]
    public void Create_DataGiven_KernelKeepsItsOwnCopy()
    {
        var core = TestKernel.Create(out _);
        var data = new JsonObject { ["resource_type"] = "llm_calls" };

        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.ResourceExhausted, Message = "Resource exhausted: llm_calls", Data = data });
        data["resource_type"] = "changed";
        i.Data!["resource_type"] = "changed too";

        Assert.That((string?)core.GetInterrupt(i.Id)!.Data!["resource_type"], Is.EqualTo("llm_calls"));
    }

    [Test]
    public void Resolve_Owner_ResolvedWithResponseAndTimes()
    {
        var core = TestKernel.Create(out var time);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Confirmation, UserId = "user1", Message = "Delete?" });
        time.Advance(TimeSpan.FromMinutes(1));

        bool ok = core.ResolveInterrupt(i.Id, new InterruptResponse { Approved = true, ReceivedAt = TestKernel.Epoch.AddYears(-5) }, "user1");

        KernelInterrupt after = core.GetInterrupt(i.Id)!;
        Assert.That(ok, Is.True);
        Assert.That(after.Status, Is.EqualTo(InterruptStatus.Resolved));
        Assert.That(after.Response!.Approved, Is.True);
        Assert.That(after.Response.ReceivedAt, Is.EqualTo(time.GetUtcNow()), "the kernel stamps received_at itself");
        Assert.That(after.ResolvedAt, Is.EqualTo(time.GetUtcNow()));
        Assert.That(after.ClosedAt, Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public void Resolve_WrongUser_FalseAndUnchanged()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification());

        bool ok = core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "Paris" }, "mallory");

        Assert.That(ok, Is.False);
        Assert.That(core.GetInterrupt(i.Id), Is.EqualTo(i).Using<KernelInterrupt>(SameInterrupt));
    }

    [Test]
    public void Resolve_EmptyUserIsARealValue_MustMatch()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification(user: "user1"));

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "x" }, string.Empty), Is.False);
        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "x" }, userId: null), Is.True, "no user: a trusted caller");
    }

    [Test]
    public void Resolve_RequiredResponseMissing_InvalidArgumentAndStillPending()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification());

        var ex = Assert.Throws<KernelException>(() => core.ResolveInterrupt(i.Id, new InterruptResponse(), "user1"));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.GetInterrupt(i.Id)!.Status, Is.EqualTo(InterruptStatus.Pending));
    }

    [Test]
    public void Resolve_KindWithoutRequiredResponse_EmptyResponseAccepted()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Checkpoint });

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse(), null), Is.True);
    }

    [Test]
    public void Resolve_PastExpiry_FalseAndExpired()
    {
        var core = TestKernel.Create(out var time);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Confirmation });
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromTicks(1));

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Approved = true }, null), Is.False);
        Assert.That(core.GetInterrupt(i.Id)!.Status, Is.EqualTo(InterruptStatus.Expired));
    }

    [Test]
    public void Resolve_ExactlyAtExpiry_StillAccepted()
    {
        var core = TestKernel.Create(out var time);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Confirmation });
        time.Advance(TimeSpan.FromHours(1));

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Approved = true }, null), Is.True);
    }

    [Test]
    public void Resolve_Twice_SecondFalse()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification());

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "a" }, "user1"), Is.True);
        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "b" }, "user1"), Is.False);
        Assert.That(core.GetInterrupt(i.Id)!.Response!.Text, Is.EqualTo("a"));
    }

    [Test]
    public void Resolve_UnknownId_False()
    {
        Assert.That(TestKernel.Create(out _).ResolveInterrupt("int_0000000000000000", new InterruptResponse { Text = "x" }, null), Is.False);
    }

    [Test]
    public void Cancel_Pending_CancelledWithReasonNoResolvedAt()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification());

        Assert.That(core.CancelInterrupt(i.Id, "user left"), Is.True);

        KernelInterrupt after = core.GetInterrupt(i.Id)!;
        Assert.That(after.Status, Is.EqualTo(InterruptStatus.Cancelled));
        Assert.That((string?)after.Data!["cancel_reason"], Is.EqualTo("user left"));
        Assert.That(after.ResolvedAt, Is.Null);
        Assert.That(after.ClosedAt, Is.Not.Null);
        Assert.That(core.CancelInterrupt(i.Id), Is.False);
        Assert.That(core.CancelInterrupt("int_ffffffffffffffff"), Is.False);
    }

    [Test]
    public void Cancel_NoReason_DefaultsToCancelled()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification());

        core.CancelInterrupt(i.Id);

        Assert.That((string?)core.GetInterrupt(i.Id)!.Data!["cancel_reason"], Is.EqualTo("cancelled"));
    }

    [Test]
    public void ExpireInterrupts_PastExpiry_ExpiredOnlyForAutoExpireKinds()
    {
        var core = TestKernel.Create(out var time, o => o.Interrupts[InterruptKind.Timeout].AutoExpire = false);
        KernelInterrupt a = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.ResourceExhausted });
        KernelInterrupt b = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Timeout });
        time.Advance(TimeSpan.FromMinutes(6));

        Assert.That(core.ExpireInterrupts(), Is.EqualTo(1));
        Assert.That(core.GetInterrupt(a.Id)!.Status, Is.EqualTo(InterruptStatus.Expired));
        Assert.That(core.GetInterrupt(b.Id)!.Status, Is.EqualTo(InterruptStatus.Pending));
        Assert.That(core.GetPendingForSession(string.Empty), Is.Empty, "past expiry is never listed as pending");
    }

    [Test]
    public void GetPendingForRequest_NewestPendingFirst()
    {
        var core = TestKernel.Create(out var time);
        core.CreateInterrupt(Clarification());
        time.Advance(TimeSpan.FromSeconds(1));
        KernelInterrupt newer = core.CreateInterrupt(Clarification());

        Assert.That(core.GetPendingForRequest("req1")!.Id, Is.EqualTo(newer.Id));
        Assert.That(core.GetPendingForRequest("other"), Is.Null);
    }

    [Test]
    public void GetPendingForSession_KindFilter_CreationOrder()
    {
        var core = TestKernel.Create(out _);
        KernelInterrupt c1 = core.CreateInterrupt(Clarification());
        KernelInterrupt conf = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Confirmation, SessionId = "sess1" });
        KernelInterrupt c2 = core.CreateInterrupt(Clarification());

        Assert.That(core.GetPendingForSession("sess1").Select(i => i.Id), Is.EqualTo(new[] { c1.Id, conf.Id, c2.Id }));
        Assert.That(core.GetPendingForSession("sess1", [InterruptKind.Clarification]).Select(i => i.Id), Is.EqualTo(new[] { c1.Id, c2.Id }));
        Assert.That(core.GetPendingForSession("sess1", [InterruptKind.Confirmation]).Select(i => i.Id), Is.EqualTo(new[] { conf.Id }));
        Assert.That(core.GetPendingForSession("sess1", []), Is.Empty);
        Assert.That(core.GetPendingForSession("unknown"), Is.Empty);
    }

    [Test]
    public void Stats_CountEveryStatus()
    {
        var core = TestKernel.Create(out _);
        core.CreateInterrupt(Clarification());
        core.ResolveInterrupt(core.CreateInterrupt(Clarification()).Id, new InterruptResponse { Text = "x" }, null);
        core.CancelInterrupt(core.CreateInterrupt(Clarification()).Id);

        Dictionary<InterruptStatus, int> stats = core.Interrupts.Stats();

        Assert.That(stats.Values.Sum(), Is.EqualTo(3));
        Assert.That((stats[InterruptStatus.Pending], stats[InterruptStatus.Resolved], stats[InterruptStatus.Cancelled], stats[InterruptStatus.Expired]),
            Is.EqualTo((1, 1, 1, 0)));
    }

    [Test]
    public void CleanupClosed_MeasuresFromClosing_NeverRemovesPending()
    {
        var core = TestKernel.Create(out var time);
        KernelInterrupt pending = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Checkpoint, SessionId = "s" });
        KernelInterrupt resolved = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Checkpoint, SessionId = "s" });
        time.Advance(TimeSpan.FromHours(30));
        core.ResolveInterrupt(resolved.Id, new InterruptResponse(), null);

        Assert.That(core.Interrupts.CleanupClosed(time.GetUtcNow() - TimeSpan.FromHours(24)), Is.Zero, "closed just now, though created 30 h ago");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(core.Interrupts.CleanupClosed(time.GetUtcNow()), Is.EqualTo(1));
        Assert.That(core.GetInterrupt(resolved.Id), Is.Null);
        Assert.That(core.GetInterrupt(pending.Id), Is.Not.Null);
        Assert.That(core.GetPendingForSession("s").Select(i => i.Id), Is.EqualTo(new[] { pending.Id }));
    }

    [Test]
    public void CreateForProcess_RunningProcess_WaitsAndResolveResumes()
    {
        var events = new RecordingEventSink();
        var core = RunningProcess(out _, events);
        events.Events.Clear();

        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });

        ProcessInfo waiting = core.GetProcess(P("p1"))!;
        Assert.That(i.ProcessId, Is.EqualTo(P("p1")));
        Assert.That((waiting.State, waiting.PendingInterrupt, waiting.PendingInterruptId),
            Is.EqualTo((ProcessState.Waiting, (InterruptKind?)InterruptKind.Clarification, i.Id)));

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "Paris" }, "user1"), Is.True);

        ProcessInfo resumed = core.GetProcess(P("p1"))!;
        Assert.That((resumed.State, resumed.PendingInterrupt, resumed.PendingInterruptId), Is.EqualTo((ProcessState.Ready, (InterruptKind?)null, (string?)null)));
        Assert.That(core.GetNextRunnable()?.Pid, Is.EqualTo(P("p1")));
        Assert.That(events.Types, Is.EqualTo(new[] { "interrupt.created", "process.state_changed", "interrupt.resolved", "process.resumed" }));
    }

    [Test]
    public void CreateForProcess_WrongUser_ProcessKeepsWaiting()
    {
        var core = RunningProcess(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "x" }, "mallory"), Is.False);
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Waiting));
    }

    [Test]
    public void CreateForProcess_NotRunning_FailedPreconditionNothingCreated()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));

        var ex = Assert.Throws<KernelException>(() => core.CreateInterrupt(Clarification() with { ProcessId = P("p1") }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        Assert.That(core.Interrupts.Count, Is.Zero);
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Ready));
    }

    [Test]
    public void CreateForProcess_UnknownProcess_NotFoundNothingCreated()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CreateInterrupt(Clarification() with { ProcessId = P("ghost") }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(core.Interrupts.Count, Is.Zero);
    }

    [Test]
    public void CreateForProcess_Cancelled_ProcessTerminatedWithReason()
    {
        var core = RunningProcess(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });

        core.CancelInterrupt(i.Id, "user gave up");

        ProcessInfo p = core.GetProcess(P("p1"))!;
        Assert.That(p.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(p.TerminationReason, Is.EqualTo($"interrupt {i.Id} cancelled"));
    }

    [Test]
    public void CreateForProcess_Expired_EndsAsConfiguredPerKind()
    {
        var core = RunningProcess(out var time);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.ResourceExhausted, ProcessId = P("p1") });
        time.Advance(TimeSpan.FromMinutes(6));

        core.ExpireInterrupts();

        Assert.That(core.GetInterrupt(i.Id)!.Status, Is.EqualTo(InterruptStatus.Expired));
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Ready), "resource_exhausted resumes on expiry by default");
    }

    [Test]
    public void CreateForProcess_ExpiredClarification_TerminatesOnFirstAccess()
    {
        var core = RunningProcess(out var time);
        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });
        time.Advance(TimeSpan.FromHours(25));

        Assert.That(core.GetInterrupt(i.Id)!.Status, Is.EqualTo(InterruptStatus.Expired));
        Assert.That(core.GetProcess(P("p1"))!.TerminationReason, Is.EqualTo($"interrupt {i.Id} expired"));
    }

    [Test]
    public void CreateForProcess_ProcessTerminated_InterruptCancelled()
    {
        var core = RunningProcess(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });

        core.TerminateProcess(P("p1"), "stop");

        KernelInterrupt after = core.GetInterrupt(i.Id)!;
        Assert.That(after.Status, Is.EqualTo(InterruptStatus.Cancelled));
        Assert.That((string?)after.Data!["cancel_reason"], Is.EqualTo("process terminated"));
    }

    [Test]
    public void CreateForProcess_ResumedByHandThenResolved_ResolveLeavesProcessAlone()
    {
        var core = RunningProcess(out _);
        KernelInterrupt i = core.CreateInterrupt(Clarification() with { ProcessId = P("p1") });
        core.ResumeProcess(P("p1"));
        core.GetNextRunnable();
        core.TransitionState(P("p1"), ProcessState.Running);

        Assert.That(core.ResolveInterrupt(i.Id, new InterruptResponse { Text = "late" }, "user1"), Is.True);
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Running));
    }

    [Test]
    public void Create_UndefinedKind_InvalidArgument()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CreateInterrupt(new CreateInterruptRequest { Kind = (InterruptKind)77 }));

        Assert.That(ex!.Message, Is.EqualTo("validation error: Invalid interrupt kind: 77"));
        Assert.That(core.Interrupts.Count, Is.Zero);
    }

    private static bool SameInterrupt(KernelInterrupt a, KernelInterrupt b) =>
        a with { Data = null, Response = null } == b with { Data = null, Response = null } &&
        a.Data?.ToJsonString() == b.Data?.ToJsonString() &&
        a.Response?.Text == b.Response?.Text;
}
