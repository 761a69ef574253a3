using System.Collections.Concurrent;

namespace Jeeves.CommBus;

/// <summary>
/// The one handler of a command or query type. Disposing it unregisters the handler, but only while it is still the
/// registered one: an old registration disposed late never removes its successor.
/// </summary>
internal sealed class HandlerRegistration<THandler>(ConcurrentDictionary<string, HandlerRegistration<THandler>> registry, string type, THandler handler)
    : IDisposable
    where THandler : Delegate
{
    /// <summary>Gets the handler.</summary>
    public THandler Handler { get; } = handler;

    /// <summary>Unregisters the handler if it is still registered. Safe to call more than once.</summary>
    public void Dispose() => _ = registry.TryRemove(new KeyValuePair<string, HandlerRegistration<THandler>>(type, this));
}
