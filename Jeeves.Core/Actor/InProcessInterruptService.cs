namespace Jeeves.Actor;

/// <summary>The <c>interrupt</c> service over the kernel actor.</summary>
internal sealed class InProcessInterruptService(KernelActor actor) : IInterruptService
{
    public Task<KernelInterrupt> CreateAsync(CreateInterruptRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return actor.InvokeAsync("CreateInterrupt", static (k, r) => k.CreateInterrupt(r), request, cancellationToken);
    }

    public Task<bool> ResolveAsync(string interruptId, InterruptResponse response, string? userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        ArgumentNullException.ThrowIfNull(response);
        return actor.InvokeAsync("ResolveInterrupt", static (k, s) => k.ResolveInterrupt(s.interruptId, s.response, s.userId), (interruptId, response, userId), cancellationToken);
    }

    public Task<bool> CancelAsync(string interruptId, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        return actor.InvokeAsync("CancelInterrupt", static (k, s) => k.CancelInterrupt(s.interruptId, s.reason), (interruptId, reason), cancellationToken);
    }

    public Task<KernelInterrupt?> GetAsync(string interruptId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interruptId);
        return actor.InvokeAsync("GetInterrupt", static (k, id) => k.GetInterrupt(id), interruptId, cancellationToken);
    }

    public Task<IReadOnlyList<KernelInterrupt>> GetPendingForSessionAsync(string sessionId, IReadOnlyCollection<InterruptKind>? kinds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        InterruptKind[]? copy = kinds?.ToArray();
        return actor.InvokeAsync("GetPendingForSession", static (k, s) => k.GetPendingForSession(s.sessionId, s.copy), (sessionId, copy), cancellationToken);
    }
}
