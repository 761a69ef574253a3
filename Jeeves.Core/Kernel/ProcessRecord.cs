namespace Jeeves.Kernel;

/// <summary>
/// The kernel's mutable slot for one process. <see cref="Info"/> is replaced, never mutated, so a snapshot handed
/// out earlier never changes under its reader and reads allocate nothing.
/// </summary>
/// <remarks>
/// Usage changes often (every agent report) and is rarely read in between, so a usage change is held aside and
/// folded into a new snapshot only when someone reads <see cref="Info"/>.
/// </remarks>
internal sealed class ProcessRecord(ProcessInfo info)
{
    private ProcessInfo _info = info;
    private ResourceUsage? _pendingUsage;

    public ProcessInfo Info
    {
        get
        {
            if (_pendingUsage is { } usage)
            {
                _info = _info with { Usage = usage };
                _pendingUsage = null;
            }

            return _info;
        }

        set
        {
            _info = value;
            _pendingUsage = null;
        }
    }

    /// <summary>Gets the state without building a snapshot.</summary>
    public ProcessState State => _info.State;

    /// <summary>Gets the current usage without building a snapshot.</summary>
    public ResourceUsage Usage => _pendingUsage ?? _info.Usage;

    /// <summary>Gets the owner without building a snapshot.</summary>
    public UserId UserId => _info.UserId;

    /// <summary>The sequence number of this process's live ready-queue entry, or 0 when it is not queued.</summary>
    public long QueueTicket { get; set; }

    /// <summary>Records new usage; the next read of <see cref="Info"/> includes it.</summary>
    public void SetUsage(ResourceUsage usage) => _pendingUsage = usage;
}
