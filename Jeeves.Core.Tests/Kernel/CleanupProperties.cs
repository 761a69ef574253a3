using Jeeves.Kernel;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>
/// Cleanup invariant of spec §19 (37), on whole-kernel scripts that mix processes, usage and interrupts linked to the
/// processes they pause.
/// </summary>
public sealed class CleanupProperties
{
    private static readonly TimeSpan s_retention = TimeSpan.FromMinutes(20);
    private const int MaxUserUsageEntries = 2;

    /// <summary>
    /// (37) A cleanup cycle removes exactly the terminal processes finished before the retention and never a live one;
    /// it never removes a pending interrupt and leaves none pending past its expiry; afterwards user usage holds at most
    /// the configured number of entries, all for users with live processes.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void RunCleanup_AnyKernelState_RemovesOnlyWhatHasFinishedPastRetention(SystemScript script)
    {
        // Arrange
        var driver = new SystemDriver();
        for (int step = 0; step < script.Ops.Count; step++)
        {
            SystemOp op = script.Ops[step];
            if (op.Kind != SystemOpKind.Cleanup)
            {
                driver.Run(op);
                continue;
            }

            string where = $"step {step}: cleanup{(op.Linked ? " after reading every interrupt" : string.Empty)}";
            KernelCore core = driver.Core;
            DateTimeOffset now = driver.Time.GetUtcNow();
            List<KernelInterrupt> interruptsBefore = [];
            if (op.Linked)
            {
                // Reading an interrupt expires it when due, as the cycle's first phase would; afterwards all are known.
                interruptsBefore = driver.InterruptIds.Select(core.GetInterrupt).OfType<KernelInterrupt>().ToList();
            }

            var livePending = Enumerable.Range(0, SystemOp.UserCount + 1)
                .SelectMany(s => core.GetPendingForSession(SystemDriver.SessionOf(s)))
                .Select(i => i.Id)
                .ToList();
            Dictionary<ProcessId, ProcessInfo> processesBefore = LifecycleDriver.Snapshot(core);

            // Act
            CleanupStats stats = core.RunCleanup();

            // Assert: processes.
            Dictionary<ProcessId, ProcessInfo> processesAfter = LifecycleDriver.Snapshot(core);
            var removed = processesBefore.Keys.Where(p => !processesAfter.ContainsKey(p)).ToList();
            var due = processesBefore.Values.Where(p => LifecycleModel.IsTerminal(p.State) && p.CompletedAt < now - s_retention).Select(p => p.Pid);
            Assert.That(removed, Is.EquivalentTo(due), $"{where}: processes removed");
            Assert.That(stats.ProcessesRemoved, Is.EqualTo(removed.Count), $"{where}: processes removed (stats)");
            foreach ((ProcessId pid, ProcessInfo after) in processesAfter.Where(e => e.Value != processesBefore[e.Key]))
            {
                // Only the expiry phase may change a process: it ends the wait of one paused by an interrupt that expired.
                ProcessInfo before = processesBefore[pid];
                Assert.That((op.Linked, before.State, after.State is ProcessState.Ready or ProcessState.Terminated), Is.EqualTo((false, ProcessState.Waiting, true)),
                    $"{where}: cleanup changed {pid} from {before.State} to {after.State}");
            }

            // Assert: interrupts.
            var interruptsAfter = driver.InterruptIds.Select(core.GetInterrupt).OfType<KernelInterrupt>().ToDictionary(i => i.Id);
            foreach (string id in livePending)
            {
                Assert.That(interruptsAfter.GetValueOrDefault(id)?.Status, Is.EqualTo(InterruptStatus.Pending), $"{where}: pending {id}");
            }

            foreach (KernelInterrupt i in interruptsAfter.Values.Where(i => i.Status == InterruptStatus.Pending))
            {
                Assert.That(i.ExpiresAt >= now || i.ExpiresAt is null, Is.True, $"{where}: {i.Id} still pending past its expiry");
            }

            if (op.Linked)
            {
                Assert.That(stats.InterruptsExpired, Is.Zero, $"{where}: nothing left to expire");
                var gone = interruptsBefore.Where(i => !interruptsAfter.ContainsKey(i.Id)).Select(i => i.Id);
                var closedPastRetention = interruptsBefore.Where(i => i.Status != InterruptStatus.Pending && i.ClosedAt < now - s_retention).Select(i => i.Id);
                Assert.That(gone, Is.EquivalentTo(closedPastRetention), $"{where}: interrupts removed");
            }

            // Assert: user usage.
            Assert.That(core.Usage.Count, Is.LessThanOrEqualTo(MaxUserUsageEntries), $"{where}: user usage entries");
            for (int u = 0; u < SystemOp.UserCount; u++)
            {
                UserId user = SystemOp.UserOf(u);
                if (core.GetUserUsage(user) is not null)
                {
                    Assert.That(processesAfter.Values.Any(p => p.UserId == user && !LifecycleModel.IsTerminal(p.State)), Is.True,
                        $"{where}: usage kept for {user}, who has no live process");
                }
            }

            driver.RememberInterruptsThatExist();
        }
    }

    /// <summary>A process paused by an interrupt stays WAITING exactly while that interrupt is pending, whatever ends it.</summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 200)]
    public void InterruptLinkedProcess_AnyScript_WaitsExactlyWhileItsInterruptIsPending(SystemScript script)
    {
        // Arrange
        var driver = new SystemDriver();
        for (int step = 0; step < script.Ops.Count; step++)
        {
            // Act
            driver.Run(script.Ops[step]);

            // Assert
            foreach (ProcessInfo waiting in driver.Core.ListProcesses(ProcessState.Waiting).Where(p => p.PendingInterruptId is not null))
            {
                string id = waiting.PendingInterruptId!;
                KernelInterrupt? interrupt = driver.Core.GetInterrupt(id); // may expire it, ending the wait
                ProcessInfo now = driver.Core.GetProcess(waiting.Pid)!;
                string where = $"step {step}: {script.Ops[step]}: {waiting.Pid} on {id} ({interrupt?.Status})";
                Assert.That(interrupt, Is.Not.Null, $"{where}: the interrupt is gone");
                Assert.That(interrupt!.ProcessId, Is.EqualTo(waiting.Pid), where);
                bool stillWaiting = now.State == ProcessState.Waiting && now.PendingInterruptId == id;
                Assert.That(stillWaiting, Is.EqualTo(interrupt.Status == InterruptStatus.Pending), where);
                if (interrupt.Status == InterruptStatus.Expired)
                {
                    InterruptEndAction action = driver.Options.Interrupts[interrupt.Kind].OnExpired;
                    Assert.That(now.State, Is.EqualTo(action == InterruptEndAction.ResumeProcess ? ProcessState.Ready : ProcessState.Terminated), where);
                }
            }
        }
    }

    /// <summary>Runs whole-kernel operations, swallowing the refusals a random script provokes.</summary>
    private sealed class SystemDriver
    {
        private readonly List<string> _interruptIds = [];

        public SystemDriver()
        {
            KernelOptions options = null!;
            Core = TestKernel.Create(out FakeTimeProvider time, o =>
            {
                o.RateLimit.RequestsPerHour = int.MaxValue;
                o.RateLimit.RequestsPerMinute = int.MaxValue;
                o.RateLimit.BurstSize = int.MaxValue;
                o.Cleanup.ProcessRetention = s_retention;
                o.Cleanup.InterruptRetention = s_retention;
                o.Cleanup.MaxUserUsageEntries = MaxUserUsageEntries;
                options = o;
            });
            Time = time;
            Options = options;
        }

        public KernelCore Core { get; }

        public FakeTimeProvider Time { get; }

        public KernelOptions Options { get; }

        /// <summary>Gets every interrupt created, less those a cleanup was seen to remove.</summary>
        public IReadOnlyList<string> InterruptIds => _interruptIds;

        public static string SessionOf(int user) => $"s{user}";

        public void RememberInterruptsThatExist() => _interruptIds.RemoveAll(id => Core.GetInterrupt(id) is null);

        public void Run(SystemOp op)
        {
            try
            {
                RunCore(op);
            }
            catch (KernelException ex) when (ex.Code is KernelErrorCode.NotFound or KernelErrorCode.FailedPrecondition or KernelErrorCode.AlreadyExists)
            {
                // Random scripts ask for impossible things; the model-based properties check the refusals.
            }
        }

        private void RunCore(SystemOp op)
        {
            ProcessId pid = op.ProcessId;
            switch (op.Kind)
            {
                case SystemOpKind.CreateProcess:
                    Core.CreateProcess(pid, new CreateProcessOptions { UserId = SystemOp.UserOf(op.User), SessionId = new SessionId(SessionOf(op.User)) });
                    break;
                case SystemOpKind.Dispatch:
                    if (Core.GetNextRunnable() is { } next)
                    {
                        Core.TransitionState(next.Pid, ProcessState.Running);
                    }

                    break;
                case SystemOpKind.Transition:
                    Core.TransitionState(pid, op.Target, "scripted");
                    break;
                case SystemOpKind.Terminate:
                    Core.TerminateProcess(pid, "scripted");
                    break;
                case SystemOpKind.RecordUsage:
                    Core.RecordUsage(pid, new UsageDelta { LlmCalls = 1, TokensIn = 25 });
                    break;
                case SystemOpKind.RaiseInterrupt:
                    ProcessInfo? owner = op.Linked ? Core.GetProcess(pid) : null;
                    KernelInterrupt raised = Core.CreateInterrupt(new CreateInterruptRequest
                    {
                        Kind = op.InterruptKind,
                        ProcessId = op.Linked ? pid : null,
                        SessionId = owner?.SessionId.Value ?? SessionOf(SystemOp.UserCount),
                        UserId = owner?.UserId.Value ?? "nobody",
                        RequestId = owner?.RequestId.Value ?? "free",
                    });
                    _interruptIds.Add(raised.Id);
                    break;
                case SystemOpKind.ResolveInterrupt when _interruptIds.Count > 0:
                    Core.ResolveInterrupt(_interruptIds[op.Interrupt % _interruptIds.Count], new InterruptResponse { Text = "go on" }, userId: null);
                    break;
                case SystemOpKind.CancelInterrupt when _interruptIds.Count > 0:
                    Core.CancelInterrupt(_interruptIds[op.Interrupt % _interruptIds.Count], "scripted");
                    break;
                case SystemOpKind.Advance:
                    Time.Advance(op.Advance);
                    break;
                case SystemOpKind.Cleanup:
                    Core.RunCleanup();
                    RememberInterruptsThatExist();
                    break;
            }
        }
    }
}
