namespace Jeeves.Kernel;

/// <summary>
/// The kernel's mutable slot for one process. <see cref="Info"/> is replaced, never mutated, so a snapshot handed
/// out earlier never changes under its reader and reads allocate nothing.
/// </summary>
internal sealed class ProcessRecord(ProcessInfo info)
{
    public ProcessInfo Info { get; set; } = info;

    /// <summary>The sequence number of this process's live ready-queue entry, or 0 when it is not queued.</summary>
    public long QueueTicket { get; set; }
}
