using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>The lifecycle manager's behaviours (reference kernel/lifecycle.rs).</summary>
public sealed class ProcessTableTests
{
    private static readonly DateTimeOffset T0 = TestKernel.Epoch;

    private static ProcessInfo NewProcess(string pid, SchedulingPriority priority = SchedulingPriority.Normal, DateTimeOffset? created = null, string requestId = "req1") => new()
    {
        Pid = new ProcessId(pid),
        RequestId = new RequestId(requestId),
        UserId = new UserId("user1"),
        SessionId = new SessionId("sess1"),
        Priority = priority,
        Quota = ResourceQuota.Default,
        CreatedAt = created ?? T0,
    };

    private static ProcessId P(string pid) => new(pid);

    [Test]
    public void StateTransitions_FullLifecycle_NewReadyRunningTerminatedZombie()
    {
        var table = new ProcessTable();

        Assert.That(table.Submit(NewProcess("p1")).State, Is.EqualTo(ProcessState.New));
        Assert.That(table.Schedule(P("p1")).State, Is.EqualTo(ProcessState.Ready));
        Assert.That(table.Start(P("p1"), T0).State, Is.EqualTo(ProcessState.Running));
        Assert.That(table.Terminate(P("p1"), null, T0).Record.State, Is.EqualTo(ProcessState.Terminated));
        Assert.That(table.MarkZombie(P("p1")).State, Is.EqualTo(ProcessState.Zombie));
    }

    [Test]
    public void GetNextRunnable_AcrossPriorities_HighestFirst()
    {
        var table = new ProcessTable();
        foreach ((string pid, SchedulingPriority prio) in new[] { ("low", SchedulingPriority.Low), ("high", SchedulingPriority.High), ("normal", SchedulingPriority.Normal) })
        {
            table.Submit(NewProcess(pid, prio));
            table.Schedule(P(pid));
        }

        Assert.That(
            new[] { table.TakeNextRunnable()!.Pid.Value, table.TakeNextRunnable()!.Pid.Value, table.TakeNextRunnable()!.Pid.Value },
            Is.EqualTo(new[] { "high", "normal", "low" }));
    }

    [Test]
    public void GetNextRunnable_SamePriority_FirstInFirstOut()
    {
        var table = new ProcessTable();
        for (int i = 0; i < 5; i++)
        {
            table.Submit(NewProcess($"p{i}", created: T0.AddSeconds(i)));
            table.Schedule(P($"p{i}"));
        }

        var order = Enumerable.Range(0, 5).Select(_ => table.TakeNextRunnable()!.Pid.Value).ToArray();

        Assert.That(order, Is.EqualTo(new[] { "p0", "p1", "p2", "p3", "p4" }));
    }

    [Test]
    public void GetNextRunnable_EqualTimestamps_EnqueueOrderBreaksTies()
    {
        var table = new ProcessTable();
        foreach (string pid in new[] { "c", "a", "b" })
        {
            table.Submit(NewProcess(pid));
            table.Schedule(P(pid));
        }

        Assert.That(new[] { table.TakeNextRunnable()!.Pid.Value, table.TakeNextRunnable()!.Pid.Value, table.TakeNextRunnable()!.Pid.Value },
            Is.EqualTo(new[] { "c", "a", "b" }));
    }

    [Test]
    public void GetNextRunnable_ProcessHandedOut_NotReturnedAgainInSameReadyEpisode()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));

        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("p1")));
        Assert.That(table.TakeNextRunnable(), Is.Null);
        Assert.That(table.Get(P("p1"))!.State, Is.EqualTo(ProcessState.Ready), "dequeuing does not change state");
    }

    [Test]
    public void GetNextRunnable_StartedWithoutDequeueThenBlockedAndResumed_ReturnedOnce()
    {
        // Reference quirk Q3: a stale entry plus the resume entry made the pid come out twice.
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.Start(P("p1"), T0);
        table.Block(P("p1"), "quota exceeded");
        table.Resume(P("p1"));

        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("p1")));
        Assert.That(table.TakeNextRunnable(), Is.Null);
        Assert.That(table.QueueDepth, Is.Zero);
    }

    [Test]
    public void GetNextRunnable_EmptyQueue_ReturnsNull()
    {
        Assert.That(new ProcessTable().TakeNextRunnable(), Is.Null);
    }

    [Test]
    public void GetNextRunnable_TerminatedAfterQueued_Skipped()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.Terminate(P("p1"), null, T0);

        Assert.That(table.TakeNextRunnable(), Is.Null);
    }

    [Test]
    public void Submit_DuplicatePid_CallerRefusesBeforeTableChanges()
    {
        var core = TestKernel.CreateUnlimited(out _);
        core.CreateProcess(P("p1"), new CreateProcessOptions { RequestId = new RequestId("req1") });

        var ex = Assert.Throws<KernelException>(() => core.CreateProcess(P("p1"), new CreateProcessOptions { RequestId = new RequestId("req2") }));

        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists));
        Assert.That(core.GetProcess(P("p1"))!.RequestId.Value, Is.EqualTo("req1"));
    }

    [Test]
    public void Transitions_InvalidPreconditions_FailWithStateTransition()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));

        var start = Assert.Throws<KernelException>(() => table.Start(P("p1"), T0));
        table.Schedule(P("p1"));
        var wait = Assert.Throws<KernelException>(() => table.Wait(P("p1"), InterruptKind.Clarification, null));

        Assert.That(start!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
        Assert.That(start.Message, Is.EqualTo("state transition error: cannot start pid p1: state is New, expected Ready"));
        Assert.That(wait!.Code, Is.EqualTo(KernelErrorCode.FailedPrecondition));
    }

    [Test]
    public void CountByState_AfterSubmitAndSchedule_Exact()
    {
        var table = new ProcessTable();
        for (int i = 0; i < 3; i++)
        {
            table.Submit(NewProcess($"p{i}"));
        }

        Assert.That(table.CountByState(ProcessState.New), Is.EqualTo(3));
        Assert.That(table.CountByState(ProcessState.Ready), Is.Zero);

        table.Schedule(P("p0"));
        table.Schedule(P("p1"));

        Assert.That(table.CountByState(ProcessState.New), Is.EqualTo(1));
        Assert.That(table.CountByState(ProcessState.Ready), Is.EqualTo(2));
        Assert.That(table.List(ProcessState.Ready, null).Select(p => p.Pid.Value), Is.EqualTo(new[] { "p0", "p1" }));
        Assert.That(table.List(ProcessState.New, null).Select(p => p.Pid.Value), Is.EqualTo(new[] { "p2" }));
    }

    [TestCase(ProcessState.Waiting)]
    [TestCase(ProcessState.Blocked)]
    public void Resume_FromWaitingOrBlocked_ReadyAndDequeuable(ProcessState paused)
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.TakeNextRunnable();
        table.Start(P("p1"), T0);
        ProcessRecord info = paused == ProcessState.Waiting
            ? table.Wait(P("p1"), InterruptKind.Clarification, null)
            : table.Block(P("p1"), "quota exceeded");

        Assert.That(info.State, Is.EqualTo(paused));
        Assert.That(table.Resume(P("p1")).State, Is.EqualTo(ProcessState.Ready));
        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("p1")));
    }

    [Test]
    public void Block_RecordsReason_ResumeKeepsIt()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.Start(P("p1"), T0);

        Assert.That(table.Block(P("p1"), "quota exceeded").BlockReason, Is.EqualTo("quota exceeded"));
        Assert.That(table.Resume(P("p1")).BlockReason, Is.EqualTo("quota exceeded"));
    }

    [Test]
    public void Operations_UnknownPid_NotFound()
    {
        var table = new ProcessTable();
        ProcessId pid = P("missing");
        var operations = new Action[]
        {
            () => table.Schedule(pid), () => table.Start(pid, T0), () => table.Wait(pid, null, null),
            () => table.Block(pid, "r"), () => table.Resume(pid), () => table.Terminate(pid, null, T0),
            () => table.MarkZombie(pid), () => table.Preempt(pid, T0),
        };

        foreach (Action op in operations)
        {
            var ex = Assert.Throws<KernelException>(() => op());
            Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.NotFound));
            Assert.That(ex.Message, Is.EqualTo("not found: unknown pid: missing"));
        }

        Assert.That(table.Get(pid), Is.Null);
        Assert.That(table.Remove(pid), Is.False);
    }

    [Test]
    public void CleanupAndRemove_Zombie_CountDropsAfterRemove()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Terminate(P("p1"), null, T0);

        Assert.That(table.MarkZombie(P("p1")).State, Is.EqualTo(ProcessState.Zombie));
        Assert.That(table.Count, Is.EqualTo(1));
        Assert.That(table.Remove(P("p1")), Is.True);
        Assert.That(table.Count, Is.Zero);
        Assert.That(table.CountByState(ProcessState.Zombie), Is.Zero);
    }

    [Test]
    public void Schedule_AlreadyReady_Fails()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));

        var ex = Assert.Throws<KernelException>(() => table.Schedule(P("p1")));

        Assert.That(ex!.Message, Is.EqualTo("state transition error: cannot schedule pid p1: state is Ready, expected New"));
    }

    [Test]
    public void Terminate_Twice_IdempotentWithSameCompletionTime()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        (ProcessRecord terminated, bool changed1) = table.Terminate(P("p1"), "done", T0.AddSeconds(1));
        ProcessInfo first = terminated.Info;
        (ProcessRecord again, bool changed2) = table.Terminate(P("p1"), "again", T0.AddSeconds(5));
        ProcessInfo second = again.Info;

        Assert.That(changed1, Is.True);
        Assert.That(changed2, Is.False);
        Assert.That(second, Is.SameAs(first));
        Assert.That(second.CompletedAt, Is.EqualTo(T0.AddSeconds(1)));
        Assert.That(second.TerminationReason, Is.EqualTo("done"));
    }

    [Test]
    public void Get_SnapshotHandedOut_NeverChangesAndIsReusedUntilTheNextChange()
    {
        // Arrange
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        ProcessInfo ready = table.Get(P("p1"))!;

        // Act
        table.Start(P("p1"), T0.AddSeconds(1));
        table.SetUsage(P("p1"), new ResourceUsage { LlmCalls = 3 });
        ProcessInfo running = table.Get(P("p1"))!;

        // Assert: the earlier snapshot is untouched; the new one has every change; reading again builds nothing new.
        Assert.That((ready.State, ready.StartedAt, ready.Usage.LlmCalls), Is.EqualTo((ProcessState.Ready, (DateTimeOffset?)null, 0)));
        Assert.That((running.State, running.StartedAt, running.Usage.LlmCalls), Is.EqualTo((ProcessState.Running, (DateTimeOffset?)T0.AddSeconds(1), 3)));
        Assert.That(table.Get(P("p1")), Is.SameAs(running));
    }

    [Test]
    public void Info_RebuiltAfterAChange_CarriesEveryField()
    {
        // Arrange: a snapshot with every field set to something other than its default.
        ProcessInfo full = NewProcess("p1", SchedulingPriority.High) with
        {
            Usage = new ResourceUsage { LlmCalls = 1, ToolCalls = 2, AgentHops = 3, Iterations = 4, TokensIn = 5, TokensOut = 6, ElapsedSeconds = 7 },
            StartedAt = T0.AddSeconds(1),
            CompletedAt = T0.AddSeconds(2),
            LastScheduledAt = T0.AddSeconds(3),
            PendingInterrupt = InterruptKind.Confirmation,
            PendingInterruptId = "int-1",
            BlockReason = "blocked",
            TerminationReason = "ended",
            ParentPid = P("parent"),
            ChildPids = [P("child")],
        };
        var record = new ProcessRecord(full);

        // Act: a change that sets a field to its own value still drops the cached snapshot.
        record.BlockReason = "blocked";

        // Assert
        Assert.That(record.Info, Is.Not.SameAs(full));
        Assert.That(record.Info, Is.EqualTo(full));
    }

    [Test]
    public void Start_Twice_StartedAtKeepsFirstStartLastScheduledMoves()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.Start(P("p1"), T0.AddSeconds(1));
        table.Preempt(P("p1"), T0.AddSeconds(2));
        ProcessInfo info = table.Start(P("p1"), T0.AddSeconds(3)).Info;

        Assert.That(info.StartedAt, Is.EqualTo(T0.AddSeconds(1)));
        Assert.That(info.LastScheduledAt, Is.EqualTo(T0.AddSeconds(3)));
    }

    [Test]
    public void Terminate_AfterRunning_ElapsedInWholeMillisecondsFromFirstStart()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("p1"));
        table.Schedule(P("p1"));
        table.Start(P("p1"), T0);

        ProcessInfo info = table.Terminate(P("p1"), null, T0.AddTicks(TimeSpan.TicksPerSecond * 2 + 12_345_6)).Record.Info;

        Assert.That(info.Usage.ElapsedSeconds, Is.EqualTo(2.012));
    }

    [Test]
    public void Resume_RequeuedByOriginalCreationTime_AheadOfLaterProcesses()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("early", created: T0));
        table.Schedule(P("early"));
        table.TakeNextRunnable();
        table.Start(P("early"), T0.AddSeconds(10));
        table.Wait(P("early"), null, null);
        table.Submit(NewProcess("late", created: T0.AddSeconds(5)));
        table.Schedule(P("late"));
        table.Resume(P("early"));

        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("early")));
    }

    [Test]
    public void Preempt_RequeuedBehindProcessesAlreadyWaiting()
    {
        var table = new ProcessTable();
        table.Submit(NewProcess("a", created: T0));
        table.Submit(NewProcess("b", created: T0.AddSeconds(1)));
        table.Schedule(P("a"));
        table.Schedule(P("b"));
        table.TakeNextRunnable();
        table.Start(P("a"), T0.AddSeconds(2));
        table.Preempt(P("a"), T0.AddSeconds(3));

        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("b")));
        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("a")));
    }

    [Test]
    public void CompactQueue_StaleEntriesDominate_Dropped()
    {
        var table = new ProcessTable();
        for (int i = 0; i < 100; i++)
        {
            table.Submit(NewProcess($"p{i}"));
            table.Schedule(P($"p{i}"));
        }

        // The stale entries sit behind live ones, so only compaction can drop them.
        for (int i = 10; i < 100; i++)
        {
            table.Terminate(P($"p{i}"), null, T0);
        }

        Assert.That(table.QueueEntryCount, Is.EqualTo(100));
        Assert.That(table.CompactQueue(), Is.EqualTo(90));
        Assert.That(table.QueueEntryCount, Is.EqualTo(10));
        Assert.That(table.QueueDepth, Is.EqualTo(10));
        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("p0")));
    }

    [Test]
    public void Start_WithoutDequeueInQueueOrder_StaleEntriesAtTheFrontDroppedAtOnce()
    {
        // Arrange: the way runs start: queued at creation, started directly, oldest first.
        var table = new ProcessTable();
        for (int i = 0; i < 100; i++)
        {
            table.Submit(NewProcess($"p{i}", created: T0.AddTicks(i)));
            table.Schedule(P($"p{i}"));
        }

        // Act
        for (int i = 0; i < 99; i++)
        {
            table.Start(P($"p{i}"), T0);
        }

        // Assert: the heap holds only the live entry; nothing is left for compaction.
        Assert.That((table.QueueEntryCount, table.QueueDepth), Is.EqualTo((1, 1)));
        Assert.That(table.CompactQueue(), Is.Zero);
        Assert.That(table.TakeNextRunnable()?.Pid, Is.EqualTo(P("p99")));
    }
}
