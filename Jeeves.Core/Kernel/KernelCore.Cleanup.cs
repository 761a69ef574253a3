namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    /// <summary>
    /// Runs one cleanup cycle: expire due interrupts, remove processes finished before the retention (terminated
    /// or zombie), remove closed interrupts past retention, drop idle rate windows, trim user usage, compact the
    /// ready queue.
    /// </summary>
    public CleanupStats RunCleanup()
    {
        int expired = ExpireInterrupts();

        DateTimeOffset now = Now;
        int removed = 0;
        foreach (ProcessId pid in _processes.FinishedBefore(now - _cleanup.ProcessRetention))
        {
            if (_processes.Get(pid)!.State == ProcessState.Terminated)
            {
                _processes.MarkZombie(pid);
            }

            removed += _processes.Remove(pid) ? 1 : 0;
        }

        return new CleanupStats
        {
            ProcessesRemoved = removed,
            InterruptsExpired = expired,
            InterruptsRemoved = _interrupts.CleanupClosed(now - _cleanup.InterruptRetention),
            RateWindowsCleaned = _rateLimiter.CleanupIdle(now),
            UserUsageEvicted = _usage.CleanupStaleUsers(_processes.UsersWithLiveProcesses(), _cleanup.MaxUserUsageEntries),
            QueueEntriesCompacted = _processes.CompactQueue(),
            CompletedAt = now,
        };
    }
}
