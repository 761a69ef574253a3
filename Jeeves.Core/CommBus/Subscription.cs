using System.Threading.Channels;

namespace Jeeves.CommBus;

/// <summary>
/// One subscription: its filter, its bounded queue, and the stream that reads the queue. The bus writes into the queue
/// from any thread; the stream is its only reader.
/// </summary>
/// <remarks>
/// The subscription closes once, whichever comes first: the consumer disposes the stream's enumerator (a
/// <c>break</c> in <c>await foreach</c> does this), the subscription's token is cancelled, or the bus is disposed.
/// Closing completes the queue and removes the subscription from the bus, so later publishes no longer see it.
/// </remarks>
internal sealed class Subscription : IAsyncEnumerable<BusEvent>
{
    private readonly EventTypeFilter _filter;
    private readonly Channel<BusEvent> _channel;
    private readonly ChannelWriter<BusEvent> _writer;
    private readonly Action<Subscription> _onClosed;
    private readonly CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private int _enumerated;
    private int _closed;

    public Subscription(string id, EventTypeFilter filter, int capacity, Action<BusEvent> onDropped, Action<Subscription> onClosed, CancellationToken cancellationToken)
    {
        Id = id;
        _filter = filter;
        _onClosed = onClosed;
        _cancellationToken = cancellationToken;
        _channel = Channel.CreateBounded(
            new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.DropOldest,

                // Keeps the reader's continuation off the publisher's thread: a publish must never run subscriber code.
                AllowSynchronousContinuations = false,
            },
            onDropped);
        _writer = _channel.Writer;
    }

    /// <summary>Gets the subscriber id.</summary>
    public string Id { get; }

    /// <summary>Gets the distinct patterns subscribed to.</summary>
    public IReadOnlyList<string> EventTypes => _filter.Patterns;

    /// <summary>Gets the queue's reader, for code that drains it without the stream.</summary>
    public ChannelReader<BusEvent> Reader => _channel.Reader;

    /// <summary>Gets a value indicating whether the subscription has closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Closes the subscription when <see cref="_cancellationToken"/> is cancelled, even if it is never enumerated.</summary>
    /// <remarks>Called after the bus has added the subscription, so a close it causes always finds it there.</remarks>
    public void CloseOnCancellation()
    {
        _registration = _cancellationToken.UnsafeRegister(static s => ((Subscription)s!).Close(), this);

        // A close that ran before the registration existed (the bus disposed meanwhile) could not undo it.
        if (IsClosed)
        {
            _ = _registration.Unregister();
        }
    }

    /// <summary>Queues <paramref name="busEvent"/> if the subscription wants it, dropping the oldest queued event when full.</summary>
    /// <returns><see langword="true"/> if the event was queued; <see langword="false"/> if unwanted or the subscription is closed.</returns>
    public bool TryDeliver(BusEvent busEvent) => _filter.Matches(busEvent.EventType) && _writer.TryWrite(busEvent);

    /// <summary>Completes the queue and removes the subscription from the bus. Safe to call more than once, from any thread.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        // Complete before removing: a publish that still sees the subscription then fails to write and does not count it.
        _ = _writer.TryComplete();
        _ = _registration.Unregister();
        _onClosed(this);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The stream is already being enumerated; it has a single reader.</exception>
    public IAsyncEnumerator<BusEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A subscription can be enumerated only once.");
        }

        return new Enumerator(this, cancellationToken);
    }

    private sealed class Enumerator(Subscription owner, CancellationToken cancellationToken) : IAsyncEnumerator<BusEvent>
    {
        private readonly ChannelReader<BusEvent> _reader = owner._channel.Reader;
        private bool _disposed;

        public BusEvent Current { get; private set; } = null!;

        public ValueTask<bool> MoveNextAsync()
        {
            if (owner._cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(owner._cancellationToken);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            if (_disposed)
            {
                return new(false);
            }

            if (_reader.TryRead(out BusEvent? next))
            {
                Current = next;
                return new(true);
            }

            return WaitAsync();
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            owner.Close();
            return default;
        }

        private async ValueTask<bool> WaitAsync()
        {
            while (await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Cancelling the subscription's token completes the queue, which wakes this wait; report the
                // cancellation rather than the events still queued.
                owner._cancellationToken.ThrowIfCancellationRequested();
                if (_reader.TryRead(out BusEvent? next))
                {
                    Current = next;
                    return true;
                }
            }

            owner._cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }
}
