using System.IO.Pipelines;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Jeeves.Observability;

namespace Jeeves.Ipc;

/// <summary>
/// Serves one connection of a <see cref="KernelTcpHost"/>: read a frame, parse it, check authentication, dispatch,
/// write the answer with one send, repeat (spec/ipc.md §1.4, §1.5, §1.9).
/// </summary>
/// <remarks>
/// One task runs <see cref="RunAsync"/>, so frames are handled strictly in order and pipelined requests are answered
/// in request order. Nothing thrown here leaves the connection: the worst outcome is that this connection closes.
/// </remarks>
internal sealed class TcpConnection
{
    private const string AuthService = "auth";
    private const string AuthMethod = "Authenticate";

    private readonly KernelTcpHost _host;
    private readonly Socket _socket;
    private readonly long _id;
    private readonly EndPoint? _remote;
    private FrameWriter _writer = null!;
    private bool _authenticated;

    public TcpConnection(KernelTcpHost host, Socket socket, long id, EndPoint? remote)
    {
        _host = host;
        _socket = socket;
        _id = id;
        _remote = remote;
        _authenticated = host.AuthToken is null;
    }

    /// <summary>Gets the task that serves the connection; it never faults.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Closes the socket, which ends any read or send in progress.</summary>
    public void Abort() => _socket.Dispose();

    public async Task RunAsync()
    {
        using var writer = new FrameWriter();
        _writer = writer;
        using var stream = new NetworkStream(_socket, ownsSocket: false);
        PipeReader pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var frames = new FrameReader(pipe, _host.MaxFrameBytes);

        // One timer per direction, re-armed per frame; stopping ends reads, aborting ends sends.
        using var readTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _host.Time);
        using var writeTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _host.Time);
        using CancellationTokenRegistration stopReads = _host.Stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), readTimer);
        using CancellationTokenRegistration abortWrites = _host.Aborting.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), writeTimer);
        try
        {
            while (await ServeNextAsync(pipe, frames, readTimer, writeTimer).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException) when (writeTimer.IsCancellationRequested && !_host.Aborting.IsCancellationRequested)
        {
            _host.Logger.WriteTimedOut(_id, _host.WriteTimeout);
        }
        catch (OperationCanceledException) when (_host.Stopping.IsCancellationRequested)
        {
            // The host is stopping.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            _host.Logger.ConnectionLost(_id, ex);
        }
#pragma warning disable CA1031 // The connection's last line of defence: a fault here must never reach the host or another connection.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _host.Logger.ConnectionFailed(_id, ex);
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads and answers one frame.</summary>
    /// <returns><see langword="true"/> to go on; <see langword="false"/> to close the connection.</returns>
    private async Task<bool> ServeNextAsync(PipeReader pipe, FrameReader frames, CancellationTokenSource readTimer, CancellationTokenSource writeTimer)
    {
        frames.ReleaseFrame();

        // Between frames only the idle timeout applies (none by default); the read timeout starts with the first byte.
        readTimer.CancelAfter(_host.IdleTimeout ?? Timeout.InfiniteTimeSpan);
        ReadResult waiting;
        try
        {
            waiting = await pipe.ReadAsync(readTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_host.Stopping.IsCancellationRequested)
        {
            _host.Logger.IdleTimedOut(_id, _host.IdleTimeout ?? Timeout.InfiniteTimeSpan);
            return false;
        }

        if (waiting.Buffer.IsEmpty && waiting.IsCompleted)
        {
            return false;
        }

        // Nothing consumed, nothing examined: the frame reader sees these bytes again at once.
        pipe.AdvanceTo(waiting.Buffer.Start);
        readTimer.CancelAfter(_host.ReadTimeout);
        Frame? next;
        try
        {
            next = await frames.ReadAsync(readTimer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_host.Stopping.IsCancellationRequested)
        {
            _host.Logger.ReadTimedOut(_id, _host.ReadTimeout);
            return false;
        }
        catch (FrameException ex)
        {
            // R2–R4: too large, zero length, or cut off; no frame can be sent.
            _host.Logger.FrameRejected(_id, ex.Message);
            return false;
        }

        readTimer.CancelAfter(Timeout.InfiniteTimeSpan);
        if (next is not { } frame)
        {
            return false;
        }

        IpcRequest request;
        try
        {
            // The fast path leaves the body encoded; anything it does not take is parsed (or refused) as before.
            if (!WireRequestReader.TryRead(frame, out request))
            {
                request = IpcRequest.From(WireMessages.ParseRequest(frame));
            }
        }
        catch (FrameException ex) when (!ex.ClosesConnection)
        {
            frames.ReleaseFrame();
            if (!_authenticated)
            {
                return await RefuseAsync(ex.RequestId, writeTimer).ConfigureAwait(false);
            }

            await SendAsync(_writer.WriteError(ex), writeTimer).ConfigureAwait(false);
            return true;
        }

        // The request is detached from the pipe's buffer.
        frames.ReleaseFrame();
        if (_host.AuthToken is not null && (!_authenticated || IsAuthRequest(request)))
        {
            return await AuthenticateAsync(request, writeTimer).ConfigureAwait(false);
        }

        if (IpcMethodTable.Default.IsStreaming(request.Service, request.Method))
        {
            return await StreamAsync(request, pipe, writeTimer).ConfigureAwait(false);
        }

        long started = _host.Metrics.IpcRequestDuration.Enabled ? _host.Time.GetTimestamp() : 0;
        (ReadOnlyMemory<byte> reply, KernelErrorCode? failure) = await DispatchAsync(request).ConfigureAwait(false);
        await SendAsync(reply, writeTimer).ConfigureAwait(false);
        RecordRequest(request, failure, started);
        return true;
    }

    private async Task<(ReadOnlyMemory<byte> Frame, KernelErrorCode? Failure)> DispatchAsync(IpcRequest request)
    {
        try
        {
            IpcReply body = await IpcMethodTable.Default.DispatchAsync(_host.Kernel, request, _host.Aborting).ConfigureAwait(false);
            return (_writer.WriteResponse(request.Id, body), null);
        }
        catch (KernelException ex)
        {
            return (Failure(request.Id, ex), ex.Code);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_host.Aborting.IsCancellationRequested)
        {
            // A handler bug: answer INTERNAL and keep the connection, as for any failed request.
            _host.Logger.HandlerFailed(_id, request.Service, request.Method, ex);
            return (_writer.WriteError(request.Id, KernelErrorCode.Internal, "internal error: the request failed unexpectedly"), KernelErrorCode.Internal);
        }
    }

    /// <summary>
    /// Counts an answered request and, when <paramref name="started"/> is set, its duration. Names the table does not
    /// route are tagged <see cref="TelemetryTags.Other"/>, so a client cannot add tag values.
    /// </summary>
    private void RecordRequest(in IpcRequest request, KernelErrorCode? failure, long started)
    {
        KernelMetrics metrics = _host.Metrics;
        if (!metrics.IpcRequests.Enabled && started == 0)
        {
            return;
        }

        IpcMethodTable table = IpcMethodTable.Default;
        var tags = new TagList
        {
            { TelemetryTags.RpcService, table.IsRouted(request.Service) ? request.Service : TelemetryTags.Other },
            { TelemetryTags.RpcMethod, table.IsRouted(request.Service, request.Method) ? request.Method : TelemetryTags.Other },
        };
        if (failure is { } code)
        {
            tags.Add(TelemetryTags.ErrorType, WireNames.ToWire(code));
        }

        metrics.IpcRequests.Add(1, tags);
        if (started != 0)
        {
            metrics.IpcRequestDuration.Record(_host.Time.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    private ReadOnlyMemory<byte> Failure(string id, Exception ex) => ex switch
    {
        // §1.8: the one error body with extra fields.
        KernelOverloadedException overloaded => _writer.WriteQueueFull(id, overloaded.QueueCapacity),
        KernelException kernel => _writer.WriteError(id, kernel.Code, kernel.Message),
        _ => _writer.WriteError(id, KernelErrorCode.Internal, "internal error: the request failed unexpectedly"),
    };

    private static bool IsAuthRequest(in IpcRequest request) =>
        request.Service == AuthService && request.Method == AuthMethod;

    /// <summary>The auth gate: only <c>auth</c>/<c>Authenticate</c> with the right token opens the connection.</summary>
    private async Task<bool> AuthenticateAsync(IpcRequest request, CancellationTokenSource writeTimer)
    {
        if (!IsAuthRequest(request) || !TokenMatches(request.Body.OptionalString("token")))
        {
            return await RefuseAsync(request.Id, writeTimer).ConfigureAwait(false);
        }

        _authenticated = true;
        await SendAsync(_writer.WriteResponse(request.Id, new JsonObject { ["authenticated"] = true }), writeTimer).ConfigureAwait(false);
        return true;
    }

    private bool TokenMatches(string? token)
    {
        if (token is null)
        {
            return false;
        }

        byte[] given = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(given, _host.AuthToken);
    }

    private async Task<bool> RefuseAsync(string id, CancellationTokenSource writeTimer)
    {
        _host.Logger.AuthenticationFailed(_id, _remote);
        ReadOnlyMemory<byte> frame = _writer.WriteError(
            id, KernelErrorCode.Unauthenticated, "unauthenticated: the first request must be auth.Authenticate with the host's token");
        await SendAsync(frame, writeTimer).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Serves a streaming request (§1.9): chunks until the client closes the connection, the host stops or the stream
    /// ends. While it streams the connection reads nothing but the peer's close; it then closes.
    /// </summary>
    /// <returns><see langword="true"/> when the stream was refused and the connection goes on; else <see langword="false"/>.</returns>
    private async Task<bool> StreamAsync(IpcRequest request, PipeReader pipe, CancellationTokenSource writeTimer)
    {
        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(_host.Stopping, _host.Aborting);
        IAsyncEnumerable<JsonNode> chunks;
        try
        {
            chunks = IpcMethodTable.Default.OpenStream(_host.Kernel, request.Service, request.Method, request.Body.ToObject(), streaming.Token);
        }
        catch (KernelException ex)
        {
            await SendAsync(Failure(request.Id, ex), writeTimer).ConfigureAwait(false);
            RecordRequest(request, ex.Code, started: 0);
            return true;
        }

        // A stream counts as one request when it opens; its length is not a request duration.
        RecordRequest(request, failure: null, started: 0);
        var queue = Channel.CreateBounded<JsonNode>(new BoundedChannelOptions(_host.StreamCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Task watch = WatchPeerAsync(pipe, streaming);
        Task pump = PumpAsync(chunks, queue.Writer, streaming.Token);
        try
        {
            await foreach (JsonNode chunk in queue.Reader.ReadAllAsync(streaming.Token).ConfigureAwait(false))
            {
                await SendAsync(_writer.WriteStreamChunk(request.Id, chunk), writeTimer).ConfigureAwait(false);
            }

            // The stream ended by itself.
            await SendAsync(_writer.WriteStreamEnd(request.Id), writeTimer).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (streaming.IsCancellationRequested)
        {
            if (_host.Stopping.IsCancellationRequested && !_host.Aborting.IsCancellationRequested)
            {
                // A graceful stop tells the client the stream is over (upstream sends nothing).
                await SendAsync(_writer.WriteStreamEnd(request.Id), writeTimer).ConfigureAwait(false);
            }
        }
        catch (KernelException ex)
        {
            await SendAsync(Failure(request.Id, ex), writeTimer).ConfigureAwait(false);
        }
        finally
        {
            await streaming.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pump, watch).ConfigureAwait(false);
        }

        return false;
    }

    private async Task PumpAsync(IAsyncEnumerable<JsonNode> chunks, ChannelWriter<JsonNode> queue, CancellationToken ct)
    {
        Exception? failure = null;
        try
        {
            await foreach (JsonNode chunk in chunks.WithCancellation(ct).ConfigureAwait(false))
            {
                await queue.WriteAsync(chunk, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The stream was closed.
        }
        catch (KernelException ex)
        {
            failure = ex;
        }
#pragma warning disable CA1031 // A failing stream source ends this stream only; the writer reports it to the client.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _host.Logger.ConnectionFailed(_id, ex);
            failure = new KernelException(KernelErrorCode.Internal, "internal error: the stream failed unexpectedly", ex);
        }

        queue.TryComplete(failure);
    }

    /// <summary>Reads and drops what the client sends during a stream, and ends the stream when the client closes.</summary>
    private static async Task WatchPeerAsync(PipeReader pipe, CancellationTokenSource streaming)
    {
        try
        {
            while (true)
            {
                ReadResult result = await pipe.ReadAsync(streaming.Token).ConfigureAwait(false);
                pipe.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Cancelled, or the connection broke: either way the stream is over.
        }

        await streaming.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Sends one whole frame, bounded by the write timeout.</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationTokenSource writeTimer)
    {
        if (frame.Length - FrameLayout.PrefixLength > _host.MaxFrameBytes)
        {
            _host.Logger.OversizedFrameSent(_id, frame.Length - FrameLayout.PrefixLength, _host.MaxFrameBytes);
        }

        while (!frame.IsEmpty)
        {
            // Most sends complete at once (the bytes fit the socket's buffer): those never arm the timer, so a
            // timer can never fire between a finished send and its disarming. A send that has to wait is bounded.
            ValueTask<int> sending = _socket.SendAsync(frame, SocketFlags.None, writeTimer.Token);
            int sent;
            if (sending.IsCompleted)
            {
                sent = await sending.ConfigureAwait(false);
            }
            else
            {
                writeTimer.CancelAfter(_host.WriteTimeout);
                sent = await sending.ConfigureAwait(false);
                writeTimer.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            frame = frame[sent..];
        }
    }
}
