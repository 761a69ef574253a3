using System.Text.RegularExpressions;
using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>The kernel facade's process operations (reference kernel/mod.rs and the kernel IPC behaviours).</summary>
public sealed partial class KernelCoreProcessTests
{
    private static ProcessId P(string pid) => new(pid);

    [Test]
    public void GetSystemStatus_EmptyKernel_AllZeroWithEveryStatePresent()
    {
        var core = TestKernel.Create(out _);

        SystemStatus status = core.GetSystemStatus();

        Assert.That(status.Processes.Total, Is.Zero);
        Assert.That(status.Processes.ByState.Keys, Is.EquivalentTo(Enum.GetValues<ProcessState>()));
        Assert.That(status.Processes.ByState.Values, Is.All.Zero);
        Assert.That(status.ServicesHealthy + status.ServicesDegraded + status.ServicesUnhealthy, Is.Zero);
        Assert.That(status.ActiveOrchestrationSessions, Is.Zero);
    }

    [Test]
    public void GetSystemStatus_WithProcesses_CountsByState()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));
        core.CreateProcess(P("p2"));
        core.CreateProcess(P("p3"));
        core.TransitionState(P("p2"), ProcessState.Running);
        core.TerminateProcess(P("p3"));

        ProcessCounts counts = core.GetSystemStatus().Processes;

        Assert.That(counts.Total, Is.EqualTo(3));
        Assert.That(counts.ByState[ProcessState.Ready], Is.EqualTo(1));
        Assert.That(counts.ByState[ProcessState.Running], Is.EqualTo(1));
        Assert.That(counts.ByState[ProcessState.Terminated], Is.EqualTo(1));
        Assert.That(counts.QueueDepth, Is.EqualTo(1));
    }

    [Test]
    public void CreateProcess_Defaults_ReadyAnonymousFreshIdsDefaultQuota()
    {
        var core = TestKernel.Create(out var time);

        ProcessInfo p = core.CreateProcess(P("p1"));

        Assert.That(p.State, Is.EqualTo(ProcessState.Ready), "the stored state, not the stale NEW of the reference");
        Assert.That(core.GetProcess(P("p1")), Is.EqualTo(p));
        Assert.That(p.UserId.Value, Is.EqualTo("anonymous"));
        Assert.That(p.RequestId.Value, Does.Match(UuidPattern()));
        Assert.That(p.SessionId.Value, Does.Match(UuidPattern()));
        Assert.That(p.Priority, Is.EqualTo(SchedulingPriority.Normal));
        Assert.That(p.Quota, Is.EqualTo(ResourceQuota.Default));
        Assert.That(p.CreatedAt, Is.EqualTo(time.GetUtcNow()));
        Assert.That(p.Usage, Is.EqualTo(default(ResourceUsage)));
        Assert.That(p.StartedAt, Is.Null);
        Assert.That(p.CompletedAt, Is.Null);
    }

    [Test]
    public void CreateProcess_GivenOptions_Kept()
    {
        var core = TestKernel.Create(out _);
        var quota = new ResourceQuota { MaxLlmCalls = 3 };

        ProcessInfo p = core.CreateProcess(P("p1"), new CreateProcessOptions
        {
            RequestId = new RequestId("r"),
            UserId = new UserId("u"),
            SessionId = new SessionId("s"),
            Priority = SchedulingPriority.High,
            Quota = quota,
        });

        Assert.That((p.RequestId.Value, p.UserId.Value, p.SessionId.Value, p.Priority), Is.EqualTo(("r", "u", "s", SchedulingPriority.High)));
        Assert.That(p.Quota, Is.SameAs(quota));
    }

    [Test]
    public void CreateProcess_EmptyPid_InvalidArgumentNothingCreated()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CreateProcess(default));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo("validation error: ProcessId cannot be empty"));
        Assert.That(core.GetProcessCounts().Total, Is.Zero);
        Assert.That(core.RateLimiter.Count, Is.Zero);
    }

    [Test]
    public void CreateProcess_NegativeQuotaField_InvalidArgumentNamingFieldNothingSpent()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CreateProcess(P("p1"), new CreateProcessOptions { Quota = new ResourceQuota { MaxToolCalls = -1 } }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(ex.Message, Is.EqualTo("validation error: max_tool_calls must be non-negative, got -1"));
        Assert.That(core.GetProcess(P("p1")), Is.Null);
        Assert.That(core.RateLimiter.GetCurrentRate(new UserId("anonymous"), TestKernel.Epoch), Is.Zero);
    }

    [Test]
    public void CreateProcess_UndefinedPriority_InvalidArgument()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.CreateProcess(P("p1"), new CreateProcessOptions { Priority = (SchedulingPriority)42 }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.GetProcessCounts().Total, Is.Zero);
    }

    [Test]
    public void CreateProcess_DuplicatePid_AlreadyExistsWithoutSpendingRateLimitSlot()
    {
        var core = TestKernel.Create(out _, o => o.RateLimit.BurstSize = 2);
        var user = new CreateProcessOptions { UserId = new UserId("u") };
        core.CreateProcess(P("p1"), user);

        var ex = Assert.Throws<KernelException>(() => core.CreateProcess(P("p1"), user));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(ex.Message, Is.EqualTo("already exists: Process p1 already exists"));
        Assert.DoesNotThrow(() => core.CreateProcess(P("p2"), user), "the duplicate must not have used the second burst slot");
    }

    [Test]
    public void CreateProcess_OverBurst_RateLimitedWithRetryAfterAndNothingCreated()
    {
        var core = TestKernel.Create(out var time);
        for (int i = 0; i < 10; i++)
        {
            core.CreateProcess(P($"p{i}"));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var ex = Assert.Throws<RateLimitedException>(() => core.CreateProcess(P("p10")));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.ResourceExhausted));
        Assert.That(ex.Message, Is.EqualTo("quota exceeded: Burst limit exceeded: 10 requests per 10 seconds"));
        Assert.That(ex.LimitType, Is.EqualTo(RateLimitWindow.Burst));
        Assert.That(ex.Limit, Is.EqualTo(10));
        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(9) + TimeSpan.FromTicks(1)));
        Assert.That(core.GetProcess(P("p10")), Is.Null);

        time.Advance(ex.RetryAfter);
        Assert.That(core.CreateProcess(P("p10")).State, Is.EqualTo(ProcessState.Ready));
    }

    [Test]
    public void CreateProcess_QuotaDefaultsChanged_LaterProcessesGetNewDefaultEarlierKeepTheirs()
    {
        var core = TestKernel.Create(out _);
        ProcessInfo before = core.CreateProcess(P("p1"));

        core.SetQuotaDefaults(new QuotaUpdate { MaxLlmCalls = 200 });
        ProcessInfo after = core.CreateProcess(P("p2"));

        Assert.That(before.Quota.MaxLlmCalls, Is.EqualTo(100));
        Assert.That(core.GetProcess(P("p1"))!.Quota.MaxLlmCalls, Is.EqualTo(100));
        Assert.That(after.Quota.MaxLlmCalls, Is.EqualTo(200));
    }

    [Test]
    public void SetQuotaDefaults_OnlyGivenPositiveFieldsChange()
    {
        var core = TestKernel.Create(out _);

        ResourceQuota q = core.SetQuotaDefaults(new QuotaUpdate { MaxLlmCalls = 999, MaxToolCalls = 0 });

        Assert.That(q.MaxLlmCalls, Is.EqualTo(999));
        Assert.That(q.MaxToolCalls, Is.EqualTo(50));
        Assert.That(q with { MaxLlmCalls = 100 }, Is.EqualTo(ResourceQuota.Default));
        Assert.That(core.GetQuotaDefaults(), Is.EqualTo(q));
    }

    [Test]
    public void SetQuotaDefaults_AllZeroOrEmpty_Unchanged()
    {
        var core = TestKernel.Create(out _);

        core.SetQuotaDefaults(new QuotaUpdate());
        core.SetQuotaDefaults(new QuotaUpdate { MaxLlmCalls = 0, TimeoutSeconds = 0 });

        Assert.That(core.GetQuotaDefaults(), Is.EqualTo(ResourceQuota.Default));
    }

    [Test]
    public void SetQuotaDefaults_NegativeField_InvalidArgumentAndNothingChanges()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.SetQuotaDefaults(new QuotaUpdate { MaxLlmCalls = 5, MaxIterations = -3 }));

        Assert.That(ex!.Message, Is.EqualTo("validation error: max_iterations must be non-negative, got -3"));
        Assert.That(core.GetQuotaDefaults(), Is.EqualTo(ResourceQuota.Default));
    }

    [Test]
    public void TransitionState_FullTable_EveryLegalEdgeWorks()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));

        Assert.That(core.TransitionState(P("p1"), ProcessState.Running).State, Is.EqualTo(ProcessState.Running));
        Assert.That(core.TransitionState(P("p1"), ProcessState.Ready).State, Is.EqualTo(ProcessState.Ready), "preempt");
        core.TransitionState(P("p1"), ProcessState.Running);
        ProcessInfo waiting = core.TransitionState(P("p1"), ProcessState.Waiting, interruptKind: InterruptKind.Clarification);
        Assert.That((waiting.State, waiting.PendingInterrupt), Is.EqualTo((ProcessState.Waiting, (InterruptKind?)InterruptKind.Clarification)));
        Assert.That(core.TransitionState(P("p1"), ProcessState.Ready).PendingInterrupt, Is.Null, "resume from waiting");
        core.TransitionState(P("p1"), ProcessState.Running);
        Assert.That(core.TransitionState(P("p1"), ProcessState.Blocked, "disk").BlockReason, Is.EqualTo("disk"));
        Assert.That(core.TransitionState(P("p1"), ProcessState.Ready).State, Is.EqualTo(ProcessState.Ready), "resume from blocked");
        Assert.That(core.TransitionState(P("p1"), ProcessState.Terminated).State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(core.TransitionState(P("p1"), ProcessState.Zombie).State, Is.EqualTo(ProcessState.Zombie));
    }

    [TestCase(ProcessState.Ready, ProcessState.Waiting, "Invalid transition from Ready to Waiting")]
    [TestCase(ProcessState.Ready, ProcessState.Ready, "Invalid transition from Ready to Ready")]
    [TestCase(ProcessState.Ready, ProcessState.New, "Invalid transition from Ready to New")]
    [TestCase(ProcessState.Ready, ProcessState.Zombie, "Invalid transition from Ready to Zombie")]
    public void TransitionState_IllegalEdge_FailedPreconditionAndUnchanged(ProcessState from, ProcessState to, string message)
    {
        var core = TestKernel.Create(out _);
        ProcessInfo before = core.CreateProcess(P("p1"));

        var ex = Assert.Throws<KernelException>(() => core.TransitionState(P("p1"), to));

        Assert.That(from, Is.EqualTo(before.State));
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        Assert.That(ex.Message, Is.EqualTo("state transition error: " + message));
        Assert.That(core.GetProcess(P("p1")), Is.EqualTo(before));
    }

    [Test]
    public void TransitionState_ZombieToReady_Refused()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));
        core.TerminateProcess(P("p1"));
        core.TransitionState(P("p1"), ProcessState.Zombie);

        var ex = Assert.Throws<KernelException>(() => core.TransitionState(P("p1"), ProcessState.Ready));

        Assert.That(ex!.Message, Is.EqualTo("state transition error: Invalid transition from Zombie to Ready"));
    }

    [Test]
    public void TransitionState_UnknownPidOrUndefinedState_ClearErrors()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));

        var notFound = Assert.Throws<KernelException>(() => core.TransitionState(P("nope"), ProcessState.Running));
        var invalid = Assert.Throws<KernelException>(() => core.TransitionState(P("p1"), (ProcessState)99));

        Assert.That(notFound!.Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(notFound.Message, Is.EqualTo("not found: Process nope not found"));
        Assert.That(invalid!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(invalid.Message, Is.EqualTo("validation error: Invalid process state: 99"));
        Assert.That(core.GetProcess(P("p1"))!.State, Is.EqualTo(ProcessState.Ready));
    }

    [Test]
    public void TransitionState_Events_CanonicalUpperCaseStates()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);
        core.CreateProcess(P("p1"));
        events.Events.Clear();

        core.TransitionState(P("p1"), ProcessState.Terminated, "finished");

        Assert.That(events.Types, Is.EqualTo(new[] { "process.state_changed", "frontend.orchestrator.completed" }));
        var payload = events.Events[0].Payload;
        Assert.That((string?)payload["old_state"], Is.EqualTo("READY"));
        Assert.That((string?)payload["new_state"], Is.EqualTo("TERMINATED"));
        Assert.That((string?)payload["reason"], Is.EqualTo("finished"));
        Assert.That((string?)events.Events[1].Payload["data"]!["request_id"], Is.EqualTo("p1"));
    }

    [Test]
    public void CreateProcess_Events_CreatedPlusFrontendStarted()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);

        ProcessInfo p = core.CreateProcess(P("p1"), new CreateProcessOptions { RequestId = new RequestId("r1") });

        Assert.That(events.Types, Is.EqualTo(new[] { "process.created", "frontend.orchestrator.started" }));
        Assert.That(events.Events[0].Payload.ToJsonString(), Is.EqualTo(
            $$"""{"pid":"p1","request_id":"r1","user_id":"anonymous","session_id":"{{p.SessionId}}"}"""));
        Assert.That(events.Events[1].Payload.ToJsonString(), Is.EqualTo(
            """{"type":"orchestrator.started","data":{"request_id":"r1","pid":"p1"}}"""));
    }

    [Test]
    public void FailedOperations_PublishNoEvents()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);
        core.CreateProcess(P("p1"));
        events.Events.Clear();

        Assert.Throws<KernelException>(() => core.CreateProcess(P("p1")));
        Assert.Throws<KernelException>(() => core.TransitionState(P("p1"), ProcessState.Waiting));
        Assert.Throws<KernelException>(() => core.ResumeProcess(P("p1")));
        Assert.Throws<KernelException>(() => core.TerminateProcess(P("zz")));

        Assert.That(events.Events, Is.Empty);
    }

    [Test]
    public void TerminateProcess_Twice_IdempotentOneEvent()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);
        core.CreateProcess(P("p1"));
        events.Events.Clear();

        ProcessInfo first = core.TerminateProcess(P("p1"), "user stopped");
        ProcessInfo second = core.TerminateProcess(P("p1"));

        Assert.That(second, Is.SameAs(first));
        Assert.That(first.TerminationReason, Is.EqualTo("user stopped"));
        Assert.That(events.Types, Is.EqualTo(new[] { "process.terminated" }));
        Assert.That((string?)events.Events[0].Payload["reason"], Is.EqualTo("user stopped"));
    }

    [Test]
    public void TerminateProcess_UnknownPid_NotFound()
    {
        var core = TestKernel.Create(out _);

        var ex = Assert.Throws<KernelException>(() => core.TerminateProcess(P("ghost")));

        Assert.That(ex!.Message, Is.EqualTo("not found: unknown pid: ghost"));
    }

    [Test]
    public void ResumeProcess_NotPaused_FailedPreconditionWithReferenceMessage()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));

        var ex = Assert.Throws<KernelException>(() => core.ResumeProcess(P("p1")));

        Assert.That(ex!.Message, Is.EqualTo("state transition error: cannot resume pid p1: state is Ready, expected Waiting or Blocked"));
    }

    [Test]
    public void ResumeProcess_Blocked_ReadyQueuedAndEventRaised()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out _, events: events);
        core.CreateProcess(P("p1"));
        core.GetNextRunnable();
        core.TransitionState(P("p1"), ProcessState.Running);
        core.TransitionState(P("p1"), ProcessState.Blocked, "quota");
        events.Events.Clear();

        ProcessInfo p = core.ResumeProcess(P("p1"));

        Assert.That(p.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(core.GetNextRunnable()?.Pid, Is.EqualTo(P("p1")));
        Assert.That(events.Types, Is.EqualTo(new[] { "process.resumed" }));
    }

    [Test]
    public void GetNextRunnable_ThroughFacade_PriorityThenFifo()
    {
        var core = TestKernel.Create(out var time);
        core.CreateProcess(P("n1"));
        time.Advance(TimeSpan.FromSeconds(1));
        core.CreateProcess(P("h1"), new CreateProcessOptions { Priority = SchedulingPriority.High });
        core.CreateProcess(P("n2"));
        core.CreateProcess(P("i1"), new CreateProcessOptions { Priority = SchedulingPriority.Idle });
        core.CreateProcess(P("rt"), new CreateProcessOptions { Priority = SchedulingPriority.Realtime });

        var order = Enumerable.Range(0, 5).Select(_ => core.GetNextRunnable()!.Pid.Value).ToArray();

        Assert.That(order, Is.EqualTo(new[] { "rt", "h1", "n1", "n2", "i1" }));
        Assert.That(core.GetNextRunnable(), Is.Null);
    }

    [Test]
    public void ScheduleProcess_CreatedProcessIsAlreadyReady_FailedPrecondition()
    {
        var core = TestKernel.Create(out _);
        core.CreateProcess(P("p1"));

        var ex = Assert.Throws<KernelException>(() => core.ScheduleProcess(P("p1")));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
    }

    [Test]
    public void ListProcesses_FiltersAndSortsByCreationThenPid()
    {
        var core = TestKernel.Create(out var time);
        core.CreateProcess(P("b"), new CreateProcessOptions { UserId = new UserId("u1") });
        core.CreateProcess(P("a"), new CreateProcessOptions { UserId = new UserId("u2") });
        time.Advance(TimeSpan.FromSeconds(1));
        core.CreateProcess(P("0"), new CreateProcessOptions { UserId = new UserId("u1") });
        core.TerminateProcess(P("a"));

        Assert.That(core.ListProcesses().Select(p => p.Pid.Value), Is.EqualTo(new[] { "a", "b", "0" }));
        Assert.That(core.ListProcesses(userId: new UserId("u1")).Select(p => p.Pid.Value), Is.EqualTo(new[] { "b", "0" }));
        Assert.That(core.ListProcesses(ProcessState.Terminated).Select(p => p.Pid.Value), Is.EqualTo(new[] { "a" }));
        Assert.That(core.ListProcesses(ProcessState.Zombie), Is.Empty);
    }

    [Test]
    public void Snapshot_HandedOut_DoesNotChangeWhenProcessChanges()
    {
        var core = TestKernel.Create(out _);
        ProcessInfo snapshot = core.CreateProcess(P("p1"));

        core.TransitionState(P("p1"), ProcessState.Running);
        core.RecordUsage(P("p1"), new UsageDelta { LlmCalls = 3 });

        Assert.That(snapshot.State, Is.EqualTo(ProcessState.Ready));
        Assert.That(snapshot.Usage.LlmCalls, Is.Zero);
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidPattern();
}
