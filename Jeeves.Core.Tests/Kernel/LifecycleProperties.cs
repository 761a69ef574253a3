using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>Lifecycle invariants of spec §19 that do not need the full model: 5, 6, 7 and 9.</summary>
public sealed class LifecycleProperties
{
    /// <summary>(5) With nothing else happening, the queue drains by priority, then by creation time (FIFO).</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void GetNextRunnable_QueuedProcesses_DrainByPriorityThenCreationTime(ArrivalList arrivals)
    {
        // Arrange: create the processes; some run, block and are resumed, so they re-enter by their creation time.
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        var resumeLater = new List<ProcessId>();
        for (int i = 0; i < arrivals.Arrivals.Count; i++)
        {
            Arrival a = arrivals.Arrivals[i];
            time.Advance(a.Gap);
            ProcessId pid = LifecycleOp.PidOf(i);
            core.CreateProcess(pid, new CreateProcessOptions { Priority = a.Priority });
            if (a.BlockAndResume)
            {
                core.TransitionState(pid, ProcessState.Running);
                core.TransitionState(pid, ProcessState.Blocked, "waiting for a resource");
                resumeLater.Add(pid);
            }
        }

        time.Advance(TimeSpan.FromSeconds(1));
        foreach (ProcessId pid in resumeLater)
        {
            core.ResumeProcess(pid);
        }

        // Act
        var drained = new List<ProcessInfo>();
        while (core.GetNextRunnable() is { } next)
        {
            drained.Add(next);
        }

        // Assert
        Assert.That(drained.Select(p => p.Pid), Is.EquivalentTo(core.ListProcesses(ProcessState.Ready).Select(p => p.Pid)), "every READY process, once");
        for (int i = 1; i < drained.Count; i++)
        {
            (ProcessInfo previous, ProcessInfo current) = (drained[i - 1], drained[i]);
            Assert.That((int)current.Priority, Is.GreaterThanOrEqualTo((int)previous.Priority), $"position {i}: priority order");
            if (current.Priority == previous.Priority)
            {
                Assert.That(current.CreatedAt, Is.GreaterThanOrEqualTo(previous.CreatedAt), $"position {i}: FIFO within {current.Priority}");
            }
        }

        Assert.That(core.GetProcessCounts().QueueDepth, Is.Zero);
    }

    /// <summary>(6) Terminate succeeds on every existing pid whatever its state, and a second call changes nothing.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void TerminateProcess_AnyExistingPid_SucceedsAndSecondCallChangesNothing(LifecycleScript script)
    {
        // Arrange
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        foreach (LifecycleOp op in script.Ops)
        {
            LifecycleDriver.Run(core, time, op);
        }

        foreach (ProcessInfo before in core.ListProcesses())
        {
            // Act
            time.Advance(TimeSpan.FromMilliseconds(250));
            DateTimeOffset terminatedAt = time.GetUtcNow();
            ProcessInfo once = core.TerminateProcess(before.Pid);
            time.Advance(TimeSpan.FromSeconds(3));
            ProcessInfo twice = core.TerminateProcess(before.Pid);

            // Assert
            Assert.That(once.State, Is.AnyOf(ProcessState.Terminated, ProcessState.Zombie), $"{before.Pid} from {before.State}");
            if (LifecycleModel.IsTerminal(before.State))
            {
                Assert.That(once, Is.EqualTo(before), $"terminating terminal {before.Pid} changed it");
            }
            else
            {
                Assert.That((once.State, once.CompletedAt), Is.EqualTo((ProcessState.Terminated, (DateTimeOffset?)terminatedAt)), $"{before.Pid} from {before.State}");
            }

            Assert.That(twice, Is.EqualTo(once), $"second terminate of {before.Pid} changed it");
            Assert.That(core.GetProcess(before.Pid), Is.EqualTo(once), $"stored {before.Pid}");
        }
    }

    /// <summary>
    /// (7) completed_at is set exactly when the state is terminal and is not before created_at; started_at is set exactly
    /// when the process has run, and keeps the time of the first start.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void ProcessTimestamps_AnyOperationSequence_CompletedWhenTerminalAndStartedWhenEverRun(LifecycleScript script)
    {
        // Arrange
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        var firstStart = new Dictionary<ProcessId, DateTimeOffset>();
        var createdAt = new Dictionary<ProcessId, DateTimeOffset>();

        foreach (LifecycleOp op in script.Ops)
        {
            // Act
            LifecycleDriver.Run(core, time, op);

            // Assert
            foreach (ProcessInfo p in core.ListProcesses())
            {
                if (!createdAt.TryGetValue(p.Pid, out DateTimeOffset created) || created != p.CreatedAt)
                {
                    // A new process, possibly reusing the pid of one that cleanup removed.
                    createdAt[p.Pid] = p.CreatedAt;
                    firstStart.Remove(p.Pid);
                }

                if (p.State == ProcessState.Running)
                {
                    firstStart.TryAdd(p.Pid, time.GetUtcNow());
                }

                string where = $"after {op}: {p.Pid} in {p.State}";
                Assert.That(p.CompletedAt.HasValue, Is.EqualTo(LifecycleModel.IsTerminal(p.State)), $"{where}: completed_at");
                Assert.That(p.CompletedAt ?? p.CreatedAt, Is.GreaterThanOrEqualTo(p.CreatedAt), $"{where}: completed before created");
                Assert.That(p.StartedAt, Is.EqualTo(firstStart.TryGetValue(p.Pid, out DateTimeOffset s) ? s : null), $"{where}: started_at");
                Assert.That(p.StartedAt ?? p.CreatedAt, Is.GreaterThanOrEqualTo(p.CreatedAt), $"{where}: started before created");
            }
        }
    }

    /// <summary>
    /// (9) Creating a process under an existing pid fails with AlreadyExists, leaves the stored process unchanged and
    /// spends no rate-limit slot, even for a user who has no slot left.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void CreateProcess_ExistingPid_FailsAlreadyExistsAndChangesNothing(
        LifecycleScript script, SchedulingPriority priority, ResourceQuota quota, bool exhaustUser)
    {
        // Arrange: a burst of 20 per 10 s; the script's own processes are charged to "anonymous".
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time, o => o.RateLimit.BurstSize = 20);
        foreach (LifecycleOp op in script.Ops)
        {
            LifecycleDriver.Run(core, time, op);
        }

        var user = new UserId("duplicator");
        int spent = 0;
        while (exhaustUser && core.CheckRateLimit(user).Allowed)
        {
            spent++;
        }

        Assert.That(spent, Is.EqualTo(exhaustUser ? 20 : 0), "slots spent up front");

        foreach (ProcessInfo before in core.ListProcesses())
        {
            RateLimitDecision slotsBefore = core.CheckRateLimit(user, record: false);
            ProcessCounts countsBefore = core.GetProcessCounts();
            var options = new CreateProcessOptions { UserId = user, Priority = priority, Quota = quota, SessionId = new SessionId("other") };

            // Act
            KernelException? error = Assert.Throws<KernelException>(() => core.CreateProcess(before.Pid, options));

            // Assert
            Assert.That(error!.Code, Is.EqualTo(KernelErrorCode.AlreadyExists), $"duplicate {before.Pid}");
            Assert.That(core.GetProcess(before.Pid), Is.EqualTo(before), $"duplicate create changed {before.Pid}");
            Assert.That(core.CheckRateLimit(user, record: false), Is.EqualTo(slotsBefore), "a duplicate spent a rate-limit slot");
            Assert.That(core.GetProcessCounts(), Is.EqualTo(countsBefore).Using<ProcessCounts>(SameCounts), "counts");
        }
    }

    private static bool SameCounts(ProcessCounts a, ProcessCounts b) =>
        a.Total == b.Total && a.QueueDepth == b.QueueDepth && a.ByState.OrderBy(e => e.Key).SequenceEqual(b.ByState.OrderBy(e => e.Key));
}
