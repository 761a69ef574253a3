using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Jeeves.Ipc;

/// <summary>
/// One TCP connection of a <see cref="TcpKernelClient"/>: requests are sent one frame at a time under a lock and
/// answered out of order by id (ipc.md §1.7); a single reader loop completes them. When the connection drops, every
/// pending call fails with <see cref="KernelErrorCode.Unavailable"/>.
/// </summary>
internal sealed class ClientConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _pipe;
    private readonly FrameReader _frames;
    private readonly FrameWriter _writer = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, IPending> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly int _maxFrameBytes;
    private readonly Task _readLoop;
    private long _nextId;
    private int _closed;

    private ClientConnection(Socket socket, int maxFrameBytes)
    {
        _socket = socket;
        _maxFrameBytes = maxFrameBytes;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _pipe = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _frames = new FrameReader(_pipe, maxFrameBytes);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    private interface IPending
    {
        /// <summary>Delivers a reply; returns <see langword="true"/> when the call is over.</summary>
        bool Deliver(in WireReply reply);

        void Fail(Exception error);
    }

    /// <summary>Gets a value indicating whether the connection is closed (dropped or disposed).</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Connects, and authenticates when <see cref="TcpClientOptions.AuthToken"/> is set.</summary>
    public static async Task<ClientConnection> OpenAsync(EndPoint endpoint, TcpClientOptions options, CancellationToken cancellationToken)
    {
        Socket socket = endpoint.AddressFamily is AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new KernelException(KernelErrorCode.Unavailable, $"Cannot connect to the kernel at {endpoint}: {ex.Message}", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new ClientConnection(socket, options.MaxFrameBytes);
        if (options.AuthToken is { } token)
        {
            try
            {
                _ = await connection.CallAsync("auth", "Authenticate", new JsonObject { ["token"] = token }, options.RequestTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return connection;
    }

    /// <summary>Sends a request and waits for its answer.</summary>
    /// <returns>The response body.</returns>
    public async Task<JsonNode?> CallAsync(string service, string method, JsonObject body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string id = NextId();
        var call = new UnaryCall();
        _pending[id] = call;
        try
        {
            await SendAsync(new WireRequest(id, service, method, body), cancellationToken).ConfigureAwait(false);
            WireReply reply;
            try
            {
                reply = await call.Task.WaitAsync(timeout, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new KernelException(
                    KernelErrorCode.Timeout,
                    string.Create(CultureInfo.InvariantCulture, $"timeout: {service}.{method} got no answer within {timeout.TotalSeconds:0.###} s"),
                    ex);
            }

            return reply.IsFailure ? throw ClientErrors.FromReply(reply) : reply.Body;
        }
        finally
        {
            _ = _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a streaming request; its chunk bodies are written to the returned channel until the stream ends or fails.</summary>
    public async Task<ChannelReader<JsonNode?>> OpenStreamAsync(string service, string method, JsonObject body, CancellationToken cancellationToken)
    {
        string id = NextId();
        var stream = new StreamCall();
        _pending[id] = stream;
        try
        {
            await SendAsync(new WireRequest(id, service, method, body), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = _pending.TryRemove(id, out _);
            throw;
        }

        return stream.Reader;
    }

    public async ValueTask DisposeAsync()
    {
        Close(Lost());
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop was stopped by the close.
        }

        await _pipe.CompleteAsync().ConfigureAwait(false);
        _writer.Dispose();
        _sendLock.Dispose();
        _closing.Dispose();
    }

    private static KernelException Lost() => new(KernelErrorCode.Unavailable, "Connection lost");

    private string NextId() => "c" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);

    private async Task SendAsync(WireRequest request, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                throw Lost();
            }

            ReadOnlyMemory<byte> frame = _writer.WriteRequest(request);
            if (frame.Length - FrameLayout.PrefixLength > _maxFrameBytes)
            {
                throw new KernelException(
                    KernelErrorCode.InvalidArgument,
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"validation error: the request frame is {frame.Length - FrameLayout.PrefixLength} bytes, more than the limit of {_maxFrameBytes}"));
            }

            try
            {
                // A write is never cancelled half-way: that would leave a partial frame on the connection.
                await _stream.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                var lost = new KernelException(KernelErrorCode.Unavailable, "Connection lost", ex);
                Close(lost);
                throw lost;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception reason = Lost();
        try
        {
            while (true)
            {
                Frame? frame = await _frames.ReadAsync(_closing.Token).ConfigureAwait(false);
                if (frame is not { } f)
                {
                    break;
                }

                WireReply reply = WireMessages.ParseReply(f);
                if (_pending.TryGetValue(reply.Id, out IPending? pending) && pending.Deliver(reply))
                {
                    _ = _pending.TryRemove(reply.Id, out _);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or FrameException)
        {
            reason = new KernelException(KernelErrorCode.Unavailable, "Connection lost", ex);
        }
        finally
        {
            Close(reason);
        }
    }

    private void Close(Exception reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        _stream.Dispose();
        foreach (KeyValuePair<string, IPending> entry in _pending)
        {
            if (_pending.TryRemove(entry.Key, out IPending? pending))
            {
                pending.Fail(reason);
            }
        }
    }

    private sealed class UnaryCall : IPending
    {
        private readonly TaskCompletionSource<WireReply> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<WireReply> Task => _source.Task;

        public bool Deliver(in WireReply reply)
        {
            if (reply.Type is FrameType.Response or FrameType.Error)
            {
                _ = _source.TrySetResult(reply);
                return true;
            }

            return false;
        }

        public void Fail(Exception error) => _source.TrySetException(error);
    }

    private sealed class StreamCall : IPending
    {
        private readonly Channel<JsonNode?> _chunks = Channel.CreateUnbounded<JsonNode?>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public ChannelReader<JsonNode?> Reader => _chunks.Reader;

        public bool Deliver(in WireReply reply)
        {
            switch (reply.Type)
            {
                case FrameType.StreamChunk:
                    _ = _chunks.Writer.TryWrite(reply.Body);
                    return false;
                case FrameType.StreamEnd:
                    _ = _chunks.Writer.TryComplete();
                    return true;
                default:
                    _ = _chunks.Writer.TryComplete(reply.IsFailure ? ClientErrors.FromReply(reply) : null);
                    return true;
            }
        }

        public void Fail(Exception error) => _chunks.Writer.TryComplete(error);
    }
}
