using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using MessagePack;

namespace Jeeves.Benchmarks.Load;

/// <summary>
/// The load generator's ceiling: a server on 127.0.0.1 that answers every request frame, in order, with one small
/// response frame <c>{body: {ok: true}, id: &lt;echoed&gt;, ok: true}</c> sent in one write, and does no other work.
/// </summary>
/// <remarks>
/// The response is the one <see cref="FrameWriter.WriteResponse"/> writes (checked byte for byte at start), but it is
/// assembled from precomputed bytes around the request's raw <c>id</c> string, so the server allocates nothing per
/// request: run in-process, it must not add to the generator's allocation figures. A frame that is not a request, or
/// a request without a string id, gets an <c>INVALID_ARGUMENT</c> error frame with id <c>""</c>.
/// </remarks>
internal sealed class EchoServer : IAsyncDisposable
{
    // {"body": {"ok": true}, "id": ...
    private static readonly byte[] ResponseHead = [0x83, 0xa4, .."body"u8, 0x81, 0xa2, .."ok"u8, 0xc3, 0xa2, .."id"u8];

    // ..., "ok": true}
    private static readonly byte[] ResponseTail = [0xa2, .."ok"u8, 0xc3];

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Socket> _open = [];
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;

    private EchoServer(Socket listener)
    {
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Gets the address the server listens on.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts a server on 127.0.0.1 with a port the system picks.</summary>
    public static EchoServer Start()
    {
        CheckResponseBytes();
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
            return new EchoServer(listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting, closes every connection and waits for their loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] connections;
        lock (_gate)
        {
            foreach (Socket socket in _open)
            {
                socket.Dispose();
            }

            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stopping.Dispose();
    }

    /// <summary>Builds the response to <paramref name="frame"/> in <paramref name="writer"/>.</summary>
    internal static ReadOnlyMemory<byte> Answer(FrameWriter writer, in Frame frame)
    {
        if (frame.Type != FrameType.Request)
        {
            return writer.WriteError(string.Empty, KernelErrorCode.InvalidArgument, "Unexpected message type");
        }

        if (!TryFindRawId(frame.Payload, out ReadOnlySequence<byte> rawId))
        {
            return writer.WriteError(string.Empty, KernelErrorCode.InvalidArgument, "Missing required request field: id");
        }

        writer.Reset();
        int length = ResponseHead.Length + (int)rawId.Length + ResponseTail.Length;
        Span<byte> span = writer.GetSpan(length);
        ResponseHead.CopyTo(span);
        rawId.CopyTo(span[ResponseHead.Length..]);
        ResponseTail.CopyTo(span[(ResponseHead.Length + (int)rawId.Length)..]);
        writer.Advance(length);
        return writer.Complete(FrameType.Response);
    }

    /// <summary>Finds the request's <c>id</c> value, as its whole msgpack string (header and bytes); the last one wins.</summary>
    private static bool TryFindRawId(in ReadOnlySequence<byte> payload, out ReadOnlySequence<byte> rawId)
    {
        rawId = default;
        bool found = false;
        var reader = new MessagePackReader(payload);
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                return false;
            }

            int count = reader.ReadMapHeader();
            for (int i = 0; i < count; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    // A key that is not a string, and its value.
                    reader.Skip();
                    reader.Skip();
                    continue;
                }

                bool isId = reader.ReadStringSequence() is ReadOnlySequence<byte> key && key.Length == 2 && IsId(key);
                if (isId && reader.NextMessagePackType == MessagePackType.String)
                {
                    SequencePosition start = reader.Position;
                    ReadOnlySequence<byte> text = reader.ReadStringSequence() ?? default;
                    rawId = payload.Slice(start, reader.Position);
                    found = text.Length > 0;
                }
                else
                {
                    // A key that is not "id" (or an id that is not a string): skip its value.
                    found = found && !isId;
                    reader.Skip();
                }
            }

            return found;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private static bool IsId(in ReadOnlySequence<byte> key)
    {
        Span<byte> copy = stackalloc byte[2];
        key.CopyTo(copy);
        return copy.SequenceEqual("id"u8);
    }

    private static void CheckResponseBytes()
    {
        using var reference = new FrameWriter();
        byte[] expected = reference.WriteResponse("c0-1", new JsonObject { ["ok"] = true }).ToArray();
        using var request = new FrameWriter();
        ReadOnlyMemory<byte> requestFrame = request.WriteRequest(new WireRequest("c0-1", "kernel", "Echo", []));
        _ = FrameReader.TryParseFrame(new ReadOnlySequence<byte>(requestFrame), FrameLayout.DefaultMaxFrameBytes, out Frame frame, out _, out _);
        using var echo = new FrameWriter();
        if (!Answer(echo, frame).Span.SequenceEqual(expected))
        {
            throw new InvalidOperationException("The echo server's response differs from FrameWriter.WriteResponse.");
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_gate)
            {
                _ = _open.Add(socket);
                _connections.Add(ServeAsync(socket, ct));
            }
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        // Leave the accept loop at once; the connection runs on its own.
        await Task.Yield();
        var stream = new NetworkStream(socket, ownsSocket: true);
        PipeReader input = PipeReader.Create(stream);
        var reader = new FrameReader(input);
        using var writer = new FrameWriter(256);
        try
        {
            while (await reader.ReadAsync(ct) is Frame frame)
            {
                ReadOnlyMemory<byte> reply = Answer(writer, frame);
                while (!reply.IsEmpty)
                {
                    int sent = await socket.SendAsync(reply, SocketFlags.None, ct);
                    reply = reply[sent..];
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException or FrameException)
        {
            // The peer went away, sent a frame that closes the connection, or the server is stopping.
        }
        finally
        {
            await input.CompleteAsync();
            await stream.DisposeAsync();
            lock (_gate)
            {
                _ = _open.Remove(socket);
            }
        }
    }
}
