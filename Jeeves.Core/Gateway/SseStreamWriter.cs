using System.Buffers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jeeves.Gateway;

/// <summary>
/// Writes a stream of events to a transport as server-sent events, with keep-alive comments and exactly one
/// terminal event followed by <c>done</c>.
/// </summary>
/// <remarks>
/// <para>
/// Events are numbered from 1 (<c>id:</c>). The first terminal event (<see cref="ServerSentEvent.IsTerminal"/>) ends the
/// stream: the writer stops reading the source, writes an <c>event: done</c> frame and the <c>data: [DONE]</c> sentinel,
/// and returns at once. A source that ends without a terminal event, or fails, gets an <c>error</c> terminal event
/// whose message reveals nothing internal (the failure is logged), then the same <c>done</c> ending. So a client sees
/// exactly one terminal event and always knows the stream is over; a browser's <c>EventSource</c> must close on
/// <c>done</c>, or it would reconnect.
/// </para>
/// <para>
/// While the source is silent, a <c>: keepalive</c> comment is written each time the keep-alive interval passes
/// without a frame; keep-alives carry no id. Time comes from the injected <see cref="TimeProvider"/>. Cancelling the
/// token (the client went away) stops the source's enumeration and writes nothing more.
/// </para>
/// </remarks>
public sealed class SseStreamWriter
{
    /// <summary>The keep-alive interval used unless another is given: 15 seconds.</summary>
    public static readonly TimeSpan DefaultKeepAliveInterval = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _keepAliveInterval;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="SseStreamWriter"/> class.</summary>
    /// <param name="timeProvider">The clock for keep-alives; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="keepAliveInterval">The silence after which a keep-alive is written; <see langword="null"/> for <see cref="DefaultKeepAliveInterval"/>.</param>
    /// <param name="logger">Where source failures are logged; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepAliveInterval"/> is not positive.</exception>
    public SseStreamWriter(TimeProvider? timeProvider = null, TimeSpan? keepAliveInterval = null, ILogger? logger = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _keepAliveInterval = keepAliveInterval ?? DefaultKeepAliveInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_keepAliveInterval, TimeSpan.Zero, nameof(keepAliveInterval));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Writes <paramref name="events"/> to <paramref name="output"/> until the terminal event, then <c>done</c>.</summary>
    /// <param name="events">The events.</param>
    /// <param name="output">The transport; flushed after every frame.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests; cancel it when the client goes away.</param>
    /// <returns>A task that completes when the stream is finished.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task WriteAsync(IAsyncEnumerable<ServerSentEvent> events, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keepAlive = new KeepAliveSignal(_timeProvider, _keepAliveInterval);
        IAsyncEnumerator<ServerSentEvent> source = events.GetAsyncEnumerator(stop.Token);
        Task<bool>? moveNext = null;
        var buffer = new ArrayBufferWriter<byte>(256);
        long nextId = 1;
        try
        {
            ServerSentEvent terminal;
            while (true)
            {
                moveNext ??= source.MoveNextAsync().AsTask();
                if (!moveNext.IsCompleted)
                {
                    _ = await Task.WhenAny(moveNext, keepAlive.Tick).ConfigureAwait(false);
                }

                if (!moveNext.IsCompleted)
                {
                    if (keepAlive.IsDue())
                    {
                        SseFormatter.WriteComment(buffer, SseFormatter.KeepAliveComment);
                        await FlushAsync(buffer, output, keepAlive, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        keepAlive.Rearm();
                    }

                    continue;
                }

                ServerSentEvent? next = await ReadAsync(moveNext, source, cancellationToken).ConfigureAwait(false);
                moveNext = null;
                if (next is null || next.IsTerminal)
                {
                    terminal = next ?? Error(GatewayText.InternalError);
                    break;
                }

                SseFormatter.WriteEvent(buffer, nextId++, next.Name, next.Data);
                await FlushAsync(buffer, output, keepAlive, cancellationToken).ConfigureAwait(false);
            }

            SseFormatter.WriteEvent(buffer, nextId++, terminal.Name, terminal.Data);
            SseFormatter.WriteEvent(buffer, nextId, ServerSentEvent.DoneName, "{}");
            SseFormatter.WriteDone(buffer);
            await FlushAsync(buffer, output, keepAlive, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            keepAlive.Dispose();
            await stop.CancelAsync().ConfigureAwait(false);
            if (moveNext is not null)
            {
                // The source must not be disposed while a MoveNextAsync is still running: wait for it to observe the cancellation.
                try
                {
                    _ = await moveNext.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException || stop.IsCancellationRequested)
                {
                    // The stream is over; nobody is left to tell.
                }
            }

            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Creates the terminal <c>error</c> event with the JSON payload <c>{"error": message}</c>.</summary>
    /// <param name="message">The message for the client; never exception text.</param>
    /// <returns>The event.</returns>
    public static ServerSentEvent Error(string message) =>
        new(ServerSentEvent.ErrorName, new JsonObject { ["error"] = message }.ToJsonString(), IsTerminal: true);

    private async Task<ServerSentEvent?> ReadAsync(Task<bool> moveNext, IAsyncEnumerator<ServerSentEvent> source, CancellationToken cancellationToken)
    {
        try
        {
            if (await moveNext.ConfigureAwait(false))
            {
                return source.Current;
            }

            GatewayLog.StreamEndedWithoutTerminalEvent(_logger);
            return Error("No response received");
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // CA1031 is satisfied by the filter: cancellation by the client still propagates; anything else is logged here
            // and shown to the client only as a fixed message.
            GatewayLog.StreamSourceFailed(_logger, e);
            return Error(GatewayText.InternalError);
        }
    }

    private static async Task FlushAsync(ArrayBufferWriter<byte> buffer, Stream output, KeepAliveSignal keepAlive, CancellationToken cancellationToken)
    {
        // The silence is measured from the start of a write, so the next keep-alive is armed before anyone sees these bytes.
        keepAlive.Written();
        await output.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
    }

    /// <summary>Completes <see cref="Tick"/> when the interval has passed since the last frame.</summary>
    private sealed class KeepAliveSignal : IDisposable
    {
        private readonly TimeProvider _timeProvider;
        private readonly TimeSpan _interval;
        private readonly ITimer _timer;
        private TaskCompletionSource _tick = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastWrite;

        public KeepAliveSignal(TimeProvider timeProvider, TimeSpan interval)
        {
            _timeProvider = timeProvider;
            _interval = interval;
            _lastWrite = timeProvider.GetTimestamp();
            _timer = timeProvider.CreateTimer(static s => ((KeepAliveSignal)s!).Fire(), this, interval, Timeout.InfiniteTimeSpan);
        }

        public Task Tick => Volatile.Read(ref _tick).Task;

        // A tick can race with a frame written just before it; the elapsed-time check keeps keep-alives from coming early.
        public bool IsDue() => _timeProvider.GetElapsedTime(Volatile.Read(ref _lastWrite)) >= _interval;

        public void Written()
        {
            Volatile.Write(ref _lastWrite, _timeProvider.GetTimestamp());
            Rearm();
        }

        public void Rearm()
        {
            if (Volatile.Read(ref _tick).Task.IsCompleted)
            {
                Volatile.Write(ref _tick, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            TimeSpan due = _interval - _timeProvider.GetElapsedTime(Volatile.Read(ref _lastWrite));
            _ = _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.FromTicks(1), Timeout.InfiniteTimeSpan);
        }

        public void Dispose() => _timer.Dispose();

        private void Fire() => Volatile.Read(ref _tick).TrySetResult();
    }
}
