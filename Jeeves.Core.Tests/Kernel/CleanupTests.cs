using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>Garbage collection of finished work (reference kernel/cleanup.rs, Q14 and Q21 fixed).</summary>
public sealed class CleanupTests
{
    private static ProcessId P(string pid) => new(pid);

    [Test]
    public void Defaults_MatchReference()
    {
        var o = new CleanupOptions();

        Assert.That((o.Interval, o.ProcessRetention, o.SessionRetention, o.InterruptRetention, o.MaxUserUsageEntries),
            Is.EqualTo((TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), TimeSpan.FromHours(1), TimeSpan.FromHours(24), 10_000)));
    }

    [Test]
    public void RunCleanup_OldZombie_Removed()
    {
        var core = TestKernel.Create(out var time);
        core.CreateProcess(P("p1"));
        core.TerminateProcess(P("p1"));
        core.TransitionState(P("p1"), ProcessState.Zombie);
        time.Advance(TimeSpan.FromHours(25));

        CleanupStats stats = core.RunCleanup();

        Assert.That(stats.ProcessesRemoved, Is.EqualTo(1));
        Assert.That(stats.CompletedAt, Is.EqualTo(time.GetUtcNow()));
        Assert.That(core.GetProcess(P("p1")), Is.Null);
    }

    [Test]
    public void RunCleanup_OldTerminated_CollectedToo()
    {
        // Reference quirk Q21: nothing could turn a TERMINATED process into a zombie, so they leaked forever.
        var core = TestKernel.Create(out var time);
        core.CreateProcess(P("p1"));
        core.TerminateProcess(P("p1"));
        time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromTicks(1));

        Assert.That(core.RunCleanup().ProcessesRemoved, Is.EqualTo(1));
        Assert.That(core.GetProcessCounts().Total, Is.Zero);
    }

    [Test]
    public void RunCleanup_RecentOrLive_Kept()
    {
        var core = TestKernel.Create(out var time);
        core.CreateProcess(P("live"));
        core.CreateProcess(P("done"));
        core.TerminateProcess(P("done"));
        time.Advance(TimeSpan.FromHours(23));

        Assert.That(core.RunCleanup().ProcessesRemoved, Is.Zero);

        time.Advance(TimeSpan.FromDays(30));
        core.RunCleanup();

        Assert.That(core.GetProcess(P("live")), Is.Not.Null, "a live process is never collected");
        Assert.That(core.GetProcess(P("done")), Is.Null);
    }

    [Test]
    public void RunCleanup_ExpiresDueInterruptsFirst()
    {
        var core = TestKernel.Create(out var time);
        KernelInterrupt i = core.CreateInterrupt(new CreateInterruptRequest { Kind = InterruptKind.Timeout });
        time.Advance(TimeSpan.FromMinutes(10));

        CleanupStats stats = core.RunCleanup();

        Assert.That(stats.InterruptsExpired, Is.EqualTo(1));
        Assert.That(core.Interrupts.Get(i.Id, time.GetUtcNow(), out _)!.Status, Is.EqualTo(InterruptStatus.Expired));
    }

    [Test]
    public void RunCleanup_HundredThousandFinishedProcesses_TablesEmptyAfterRetention()
    {
        var events = new RecordingEventSink();
        var core = TestKernel.Create(out var time, o =>
        {
            o.RateLimit.BurstSize = 1000;
            o.RateLimit.RequestsPerMinute = 5000;
            o.RateLimit.RequestsPerHour = 100_000;
        });
        var interruptOwner = new CreateInterruptRequest { Kind = InterruptKind.Checkpoint, SessionId = "s", RequestId = "r" };
        for (int i = 0; i < 100_000; i++)
        {
            var pid = new ProcessId("p" + i);
            core.CreateProcess(pid, new CreateProcessOptions { UserId = new UserId("u" + (i % 1000)) });
            core.RecordUsage(pid, new UsageDelta { LlmCalls = 1, TokensIn = 10 });
            if (i % 3 == 0)
            {
                core.GetNextRunnable();
                core.TransitionState(pid, ProcessState.Running);
            }

            if (i % 10 == 0)
            {
                core.ResolveInterrupt(core.CreateInterrupt(interruptOwner).Id, new InterruptResponse(), null);
            }

            core.TerminateProcess(pid);
            if (i % 1000 == 999)
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        Assert.That(core.GetProcessCounts().Total, Is.EqualTo(100_000));
        time.Advance(TimeSpan.FromHours(25));

        CleanupStats stats = core.RunCleanup();

        Assert.That(stats.ProcessesRemoved, Is.EqualTo(100_000));
        Assert.That(stats.InterruptsRemoved, Is.EqualTo(10_000));
        Assert.That(core.GetProcessCounts().Total, Is.Zero);
        Assert.That(core.GetProcessCounts().ByState.Values, Is.All.Zero);
        Assert.That(core.Processes.QueueEntryCount, Is.Zero, "stale ready-queue entries are compacted away");
        Assert.That(core.Interrupts.Count, Is.Zero);
        Assert.That(core.Interrupts.IndexKeyCount, Is.Zero);
        Assert.That(core.RateLimiter.Count, Is.Zero);
        Assert.That(core.Usage.Count, Is.Zero);
        Assert.That(events.Events, Is.Empty, "no sink was attached to this kernel");
    }
}
