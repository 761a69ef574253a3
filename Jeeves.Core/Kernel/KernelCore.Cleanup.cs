using Jeeves.Kernel.Orchestration;

namespace Jeeves.Kernel;

internal sealed partial class KernelCore
{
    /// <summary>
    /// Runs one cleanup cycle: expire due interrupts, remove processes finished before the retention (terminated
    /// or zombie), remove closed interrupts past retention, drop idle rate windows, trim user usage, compact the
    /// ready queue, remove orchestration sessions idle past their retention.
    /// </summary>
    public CleanupStats RunCleanup()
    {
        int expired = ExpireInterrupts();

        DateTimeOffset now = Now;
        int removed = 0;
        int sessions = 0;
        foreach (ProcessId pid in _processes.FinishedBefore(now - _cleanup.ProcessRetention))
        {
            if (_processes.Find(pid)!.State == ProcessState.Terminated)
            {
                _processes.MarkZombie(pid);
            }

            removed += _processes.Remove(pid) ? 1 : 0;
            sessions += _orchestrator.Remove(pid) ? 1 : 0;
        }

        sessions += CleanupStaleSessions(now - _cleanup.SessionRetention, now);
        int envelopes = 0;
        foreach ((string id, (Envelope _, DateTimeOffset touched)) in _engineEnvelopes.ToList())
        {
            if (touched < now - _cleanup.SessionRetention)
            {
                envelopes += _engineEnvelopes.Remove(id) ? 1 : 0;
            }
        }

        return new CleanupStats
        {
            ProcessesRemoved = removed,
            SessionsRemoved = sessions,
            EnvelopesEvicted = envelopes,
            InterruptsExpired = expired,
            InterruptsRemoved = _interrupts.CleanupClosed(now - _cleanup.InterruptRetention),
            RateWindowsCleaned = _rateLimiter.CleanupIdle(now),
            UserUsageEvicted = _usage.CleanupStaleUsers(_processes.UsersWithLiveProcesses(), _cleanup.MaxUserUsageEntries),
            QueueEntriesCompacted = _processes.CompactQueue(),
            CompletedAt = now,
        };
    }

    /// <summary>
    /// Removes sessions idle since before <paramref name="cutoff"/>. A run waiting for a human is kept (its interrupt's
    /// time to live decides); an idle live run is ended first, and its process terminated.
    /// </summary>
    private int CleanupStaleSessions(DateTimeOffset cutoff, DateTimeOffset now)
    {
        List<PipelineSession> stale = _orchestrator.Sessions
            .Where(s => s.LastActivityAt < cutoff && !s.Envelope.Interrupts.InterruptPending)
            .ToList();
        foreach (PipelineSession session in stale)
        {
            if (!session.Terminated)
            {
                Orchestrator.Terminate(session, TerminalReason.UserCancelled, "Orchestration session idle past its retention", now);
                OnRunEnded(session, now);
            }

            _orchestrator.Remove(session.Pid);
        }

        return stale.Count;
    }
}
