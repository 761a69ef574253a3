using System.Text.Json;
using Jeeves.CommBus;

namespace Jeeves;

/// <summary>
/// Provides the in-memory message bus: events fanned out to subscriptions, commands and queries routed to the one
/// handler registered for their type.
/// </summary>
/// <remarks>
/// <para>
/// The bus is safe to use from many threads at once. <see cref="Publish"/> takes no lock and never waits: it reads an
/// immutable snapshot of the subscriptions and writes the event into each matching subscription's bounded queue. A
/// subscription that does not keep up loses its oldest events, which are counted in
/// <see cref="CommBusStatistics.EventsDropped"/>; it never slows the publisher or other subscribers.
/// </para>
/// <para>
/// Each subscription receives events in the order they were published. Events published concurrently from several
/// threads have no order between them, and two subscriptions may see them in different orders.
/// </para>
/// <para>
/// Handlers run on the sender's thread and are awaited outside any lock, so a slow handler delays only its own sender.
/// </para>
/// <para>
/// Disposing the bus ends every subscription's stream (after the events already queued) and unregisters every
/// handler; commands and queries already handed to a handler run to completion.
/// </para>
/// </remarks>
public sealed partial class MessageBus : ICommBusService, IDisposable
{
    private static readonly JsonElement s_emptyObject = CreateEmptyObject();

    private readonly int _subscriberCapacity;
    private readonly TimeSpan _defaultQueryTimeout;
    private readonly TimeSpan _maxQueryTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly Action<BusEvent> _onDropped;
    private readonly Action<Subscription> _onClosed;

    // Guards changes to _subscriptions and _disposed. Publish never takes it: it reads the array, which is replaced,
    // never changed, and published with Volatile.Write so a reader sees a fully built array.
    private readonly Lock _gate = new();
    private Subscription[] _subscriptions = [];
    private volatile bool _disposed;

    private long _eventsPublished;
    private long _commandsSent;
    private long _queriesExecuted;
    private long _eventsDropped;

    /// <summary>Initializes a new instance of the <see cref="MessageBus"/> class.</summary>
    /// <param name="options">The settings, copied now; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for event timestamps and query timeouts; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    public MessageBus(CommBusOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new CommBusOptions();
        _subscriberCapacity = options.SubscriberCapacity;
        _defaultQueryTimeout = options.DefaultQueryTimeout;
        _maxQueryTimeout = options.MaxQueryTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _onDropped = _ => Interlocked.Increment(ref _eventsDropped);
        _onClosed = Remove;
    }

    /// <summary>Gets a value indicating whether any subscription is live; publishers may skip building events nobody would receive.</summary>
    internal bool HasSubscriptions => Volatile.Read(ref _subscriptions).Length > 0;

    /// <summary>Publishes an event to every live subscription whose patterns match its type.</summary>
    /// <remarks>
    /// This is the kernel's way in: it is synchronous, takes no lock, never waits and never fails because of a
    /// subscriber. The event instance is shared by every subscription that receives it.
    /// </remarks>
    /// <param name="busEvent">The event.</param>
    /// <returns>The number of subscriptions the event was written to, including those that dropped an older event to make room.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="busEvent"/> or its event type is <see langword="null"/>.</exception>
    public int Publish(BusEvent busEvent)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        if (busEvent.EventType is null)
        {
            throw new ArgumentNullException(nameof(busEvent), "The event type is required.");
        }

        _ = Interlocked.Increment(ref _eventsPublished);
        int delivered = 0;
        foreach (Subscription subscription in Volatile.Read(ref _subscriptions))
        {
            if (subscription.TryDeliver(busEvent))
            {
                delivered++;
            }
        }

        return delivered;
    }

    /// <inheritdoc/>
    /// <remarks>The event is stamped with the bus clock's current time.</remarks>
    public Task<int> PublishAsync(string eventType, JsonElement? payload = null, string source = "", CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<int>(cancellationToken);
        }

        if (string.IsNullOrWhiteSpace(eventType))
        {
            return Task.FromException<int>(KernelErrors.Validation("event_type is required"));
        }

        return Task.FromResult(Publish(new BusEvent(eventType, PayloadOrEmpty(payload), _timeProvider.GetUtcNow(), source ?? string.Empty)));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The stream can be enumerated once. Each subscription buffers up to <see cref="CommBusOptions.SubscriberCapacity"/>
    /// events; when it is full the oldest is dropped. Cancelling <paramref name="cancellationToken"/> removes the
    /// subscription at once, even if the stream is never enumerated, and a pending or later read then throws
    /// <see cref="OperationCanceledException"/>. When the bus is disposed the stream ends normally.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> is already cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    public IAsyncEnumerable<BusEvent> SubscribeAsync(IReadOnlyCollection<string> eventTypes, string? subscriberId = null, CancellationToken cancellationToken = default)
    {
        EventTypeFilter filter = EventTypeFilter.Create(eventTypes);
        cancellationToken.ThrowIfCancellationRequested();
        string id = string.IsNullOrEmpty(subscriberId) ? RandomIds.NewHexId("sub-", 32) : subscriberId;
        var subscription = new Subscription(id, filter, _subscriberCapacity, _onDropped, _onClosed, cancellationToken);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Volatile.Write(ref _subscriptions, [.. _subscriptions, subscription]);
        }

        subscription.CloseOnCancellation();
        return subscription;
    }

    /// <summary>Gets a snapshot of the bus counters.</summary>
    /// <returns>The counters, and the number of live subscriptions.</returns>
    public CommBusStatistics GetStatistics() => new(
        Interlocked.Read(ref _eventsPublished),
        Interlocked.Read(ref _commandsSent),
        Interlocked.Read(ref _queriesExecuted),
        Volatile.Read(ref _subscriptions).Length,
        Interlocked.Read(ref _eventsDropped));

    /// <summary>Sets the counters (events published, commands sent, queries executed, events dropped) to zero; the number of live subscriptions is a gauge and is kept.</summary>
    public void ResetStatistics()
    {
        _ = Interlocked.Exchange(ref _eventsPublished, 0);
        _ = Interlocked.Exchange(ref _commandsSent, 0);
        _ = Interlocked.Exchange(ref _queriesExecuted, 0);
        _ = Interlocked.Exchange(ref _eventsDropped, 0);
    }

    /// <summary>Ends every subscription and unregisters every handler. Safe to call more than once.</summary>
    public void Dispose()
    {
        Subscription[] subscriptions;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscriptions = _subscriptions;
            Volatile.Write(ref _subscriptions, []);
        }

        foreach (Subscription subscription in subscriptions)
        {
            subscription.Close();
        }

        _commandHandlers.Clear();
        _queryHandlers.Clear();
    }

    private static JsonElement PayloadOrEmpty(JsonElement? payload) =>
        payload is { ValueKind: not JsonValueKind.Undefined } value ? value.Clone() : s_emptyObject;

    private static JsonElement CreateEmptyObject()
    {
        using JsonDocument document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    private static void RequireType(string type, string field)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            throw KernelErrors.Validation(field + " is required");
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            Subscription[] current = _subscriptions;
            int index = Array.IndexOf(current, subscription);
            if (index < 0)
            {
                return;
            }

            var next = new Subscription[current.Length - 1];
            Array.Copy(current, 0, next, 0, index);
            Array.Copy(current, index + 1, next, index, current.Length - index - 1);
            Volatile.Write(ref _subscriptions, next);
        }
    }
}
