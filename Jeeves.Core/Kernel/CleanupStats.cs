namespace Jeeves.Kernel;

/// <summary>What one cleanup cycle collected.</summary>
internal sealed record CleanupStats
{
    public int ProcessesRemoved { get; init; }

    public int SessionsRemoved { get; init; }

    public int EnvelopesEvicted { get; init; }

    public int InterruptsExpired { get; init; }

    public int InterruptsRemoved { get; init; }

    public int RateWindowsCleaned { get; init; }

    public int UserUsageEvicted { get; init; }

    public int QueueEntriesCompacted { get; init; }

    public DateTimeOffset CompletedAt { get; init; }
}
