namespace Jeeves.Kernel;

/// <summary>
/// The ready queue: a binary heap ordered by (priority, order time, enqueue sequence), so it is FIFO within a
/// priority and O(log n) per operation.
/// </summary>
/// <remarks>
/// Each process has at most one live entry: <see cref="ProcessRecord.QueueTicket"/> names it. Entries are never
/// searched for; an entry whose ticket no longer matches (the process started, terminated, was removed or was
/// re-queued) is stale and skipped when it surfaces (stale entries at the front are dropped as soon as they go stale). Handing a process out clears its ticket, so a process is
/// returned at most once per READY episode. <see cref="Compact"/> drops stale entries when they dominate.
/// </remarks>
internal sealed class ReadyQueue
{
    private readonly PriorityQueue<ProcessRecord, QueueKey> _heap = new();
    private long _sequence;

    /// <summary>Gets the number of processes queued (live entries only).</summary>
    public int LiveCount { get; private set; }

    /// <summary>Gets the number of heap entries, stale ones included.</summary>
    public int EntryCount => _heap.Count;

    public void Enqueue(ProcessRecord record, DateTimeOffset orderTime)
    {
        Invalidate(record);
        long ticket = ++_sequence;
        record.QueueTicket = ticket;
        _heap.Enqueue(record, new QueueKey((int)record.Priority, orderTime.UtcTicks, ticket));
        LiveCount++;
    }

    /// <summary>Marks the process's entry, if any, as stale, and drops the stale entries at the front of the heap.</summary>
    /// <remarks>
    /// A process that starts without being dequeued (the usual way a run starts) leaves its entry behind; when that entry is
    /// at the front, as it is when processes start in the order they were queued, dropping it now keeps the heap from
    /// growing until the next compaction.
    /// </remarks>
    public void Invalidate(ProcessRecord record)
    {
        if (record.QueueTicket != 0)
        {
            record.QueueTicket = 0;
            LiveCount--;
            while (_heap.TryPeek(out ProcessRecord? first, out QueueKey key) && first.QueueTicket != key.Sequence)
            {
                _ = _heap.Dequeue();
            }
        }
    }

    public ProcessRecord? Dequeue()
    {
        while (_heap.TryDequeue(out ProcessRecord? record, out QueueKey key))
        {
            if (record.QueueTicket == key.Sequence)
            {
                record.QueueTicket = 0;
                LiveCount--;
                return record;
            }
        }

        return null;
    }

    /// <summary>Rebuilds the heap without stale entries when they outnumber the live ones.</summary>
    /// <returns>The number of stale entries dropped.</returns>
    public int Compact()
    {
        int stale = _heap.Count - LiveCount;
        if (stale == 0 || stale < LiveCount)
        {
            return 0;
        }

        var live = new List<(ProcessRecord, QueueKey)>(LiveCount);
        foreach ((ProcessRecord record, QueueKey key) in _heap.UnorderedItems)
        {
            if (record.QueueTicket == key.Sequence)
            {
                live.Add((record, key));
            }
        }

        _heap.Clear();
        _heap.EnqueueRange(live);
        if (_heap.Capacity > 4 * Math.Max(live.Count, 64))
        {
            _heap.TrimExcess();
        }

        return stale;
    }

    private readonly record struct QueueKey(int Priority, long OrderTicks, long Sequence) : IComparable<QueueKey>
    {
        public int CompareTo(QueueKey other)
        {
            int c = Priority.CompareTo(other.Priority);
            if (c != 0)
            {
                return c;
            }

            c = OrderTicks.CompareTo(other.OrderTicks);
            return c != 0 ? c : Sequence.CompareTo(other.Sequence);
        }
    }
}
