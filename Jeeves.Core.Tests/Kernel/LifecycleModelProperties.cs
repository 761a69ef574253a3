using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>
/// Model-based test of the lifecycle manager: random operation sequences run against <see cref="KernelCore"/> and
/// against <see cref="LifecycleModel"/>, and the two are compared after every step (spec §19, invariants 1-5, 7, 8
/// and 10).
/// </summary>
public sealed class LifecycleModelProperties
{
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void Lifecycle_AnyOperationSequence_MatchesTheFifoModelAfterEveryStep(LifecycleScript script)
    {
        // Arrange
        KernelCore core = LifecycleDriver.CreateKernel(out FakeTimeProvider time);
        var model = new LifecycleModel(LifecycleDriver.ProcessRetention);
        var handedOut = new HashSet<ProcessId>();

        for (int step = 0; step < script.Ops.Count; step++)
        {
            // The model decides which pid and edge a generated operation means; the driver resolves it alike from the kernel.
            LifecycleOp op = LifecycleDriver.Resolve(script.Ops[step], model.Processes.ToDictionary(e => e.Key, e => e.Value.State));
            string where = $"step {step}: {op}";
            Dictionary<ProcessId, ProcessInfo> before = LifecycleDriver.Snapshot(core);

            // Act
            (ProcessInfo? result, KernelErrorCode? error, CleanupStats? cleanup) = LifecycleDriver.Run(core, time, op);
            ModelOutcome expected = model.Apply(op, time.GetUtcNow());
            Dictionary<ProcessId, ProcessInfo> after = LifecycleDriver.Snapshot(core);

            // Assert
            // (10) an unknown pid is NotFound, never FailedPrecondition; every other outcome matches the model.
            Assert.That(error, Is.EqualTo(expected.Error), $"{where}: error code");
            AssertOnlyTableEdges(before, after, op, where);
            if (error is not null)
            {
                Assert.That(after, Is.EquivalentTo(before), $"{where}: a failed operation changed the table");
            }

            foreach (ProcessId pid in before.Keys.Where(p => !after.TryGetValue(p, out ProcessInfo? a) || a.State != before[p].State))
            {
                handedOut.Remove(pid); // the READY episode ended
            }

            if (op.Kind == LifecycleOpKind.Next)
            {
                // (3) only a READY process that exists; (4) at most once per READY episode; (5) in FIFO order.
                Assert.That(result?.Pid, Is.EqualTo(expected.Next), $"{where}: GetNextRunnable order");
                if (result is not null)
                {
                    Assert.That(after.GetValueOrDefault(result.Pid)?.State, Is.EqualTo(ProcessState.Ready), $"{where}: handed out a process that is not READY");
                    Assert.That(handedOut.Add(result.Pid), Is.True, $"{where}: {result.Pid} handed out twice in one READY episode");
                    Assert.That(result, Is.EqualTo(after[result.Pid]), $"{where}: GetNextRunnable changed the process");
                }
            }
            else if (result is not null)
            {
                Assert.That(result, Is.EqualTo(after[result.Pid]), $"{where}: the returned snapshot is not the stored process");
            }

            if (cleanup is not null)
            {
                Assert.That(cleanup.ProcessesRemoved, Is.EqualTo(expected.Removed), $"{where}: processes removed");
            }

            AssertMatchesModel(core, model, after, where);
        }
    }

    /// <summary>(1) every state change is an edge of the table; (2) a terminal process only goes TERMINATED -> ZOMBIE.</summary>
    private static void AssertOnlyTableEdges(
        Dictionary<ProcessId, ProcessInfo> before, Dictionary<ProcessId, ProcessInfo> after, LifecycleOp op, string where)
    {
        int changed = 0;
        foreach ((ProcessId pid, ProcessInfo old) in before)
        {
            if (!after.TryGetValue(pid, out ProcessInfo? now))
            {
                Assert.That(op.Kind == LifecycleOpKind.Cleanup && LifecycleModel.IsTerminal(old.State), Is.True,
                    $"{where}: {pid} in state {old.State} disappeared");
                continue;
            }

            if (now.State != old.State)
            {
                changed++;
                Assert.That(LifecycleModel.IsEdge(old.State, now.State), Is.True, $"{where}: {pid} moved {old.State} -> {now.State}");
                Assert.That(!LifecycleModel.IsTerminal(old.State) || (old.State, now.State) == (ProcessState.Terminated, ProcessState.Zombie),
                    Is.True, $"{where}: terminal {pid} moved {old.State} -> {now.State}");
            }
        }

        foreach ((ProcessId pid, ProcessInfo created) in after.Where(e => !before.ContainsKey(e.Key)))
        {
            Assert.That((op.Kind, created.State), Is.EqualTo((LifecycleOpKind.Create, ProcessState.Ready)), $"{where}: {pid} appeared");
        }

        Assert.That(changed, Is.LessThanOrEqualTo(1), $"{where}: one operation changed {changed} processes");
    }

    /// <summary>States, timestamps (7), queue depth and counts (8) agree with the model.</summary>
    private static void AssertMatchesModel(KernelCore core, LifecycleModel model, Dictionary<ProcessId, ProcessInfo> after, string where)
    {
        Assert.That(after.Keys, Is.EquivalentTo(model.Processes.Keys), $"{where}: the set of pids");
        foreach ((ProcessId pid, ModelProcess m) in model.Processes)
        {
            ProcessInfo p = after[pid];
            Assert.That(
                (p.State, p.Priority, p.CreatedAt, p.StartedAt, p.LastScheduledAt, p.CompletedAt),
                Is.EqualTo((m.State, m.Priority, m.CreatedAt, m.StartedAt, m.LastScheduledAt, m.CompletedAt)),
                $"{where}: {pid} (state, priority, created, started, last scheduled, completed)");
        }

        ProcessCounts counts = core.GetProcessCounts();
        Assert.That(counts.ByState.Keys, Is.EquivalentTo(Enum.GetValues<ProcessState>()), $"{where}: state keys");
        foreach (ProcessState state in Enum.GetValues<ProcessState>())
        {
            Assert.That(counts.ByState[state], Is.EqualTo(model.Processes.Values.Count(m => m.State == state)), $"{where}: count of {state}");
        }

        Assert.That(counts.ByState.Values.Sum(), Is.EqualTo(counts.Total), $"{where}: counts add up to the total");
        Assert.That(counts.Total, Is.EqualTo(model.Processes.Count), $"{where}: total");
        Assert.That(counts.QueueDepth, Is.EqualTo(model.QueueCount), $"{where}: queue depth");
    }
}
