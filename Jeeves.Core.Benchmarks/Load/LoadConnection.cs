using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Jeeves.Ipc;

namespace Jeeves.Benchmarks.Load;

/// <summary>
/// One client connection of a load run: a socket with <c>NoDelay</c>, one request frame per send, replies read with a
/// <see cref="FrameReader"/> over <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions?)"/>, and a closed loop
/// that keeps <c>pipeline</c> requests in flight. Nothing is allocated per request: the frame writer, the id buffer
/// and the timestamp ring are reused.
/// </summary>
internal sealed class LoadConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer = new(256);

    private LoadConnection(Socket socket, LoadProtocol protocol)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _reader = new FrameReader(_input);
        Protocol = protocol;
    }

    /// <summary>Gets the request encoder and reply checker of this connection.</summary>
    public LoadProtocol Protocol { get; }

    /// <summary>Gets the latencies of the replies inside the measured window.</summary>
    public LatencyHistogram Histogram { get; } = new();

    /// <summary>Gets the number of replies inside the measured window, of any outcome.</summary>
    public long Requests { get; private set; }

    /// <summary>Gets the number of failed replies inside the measured window.</summary>
    public long Errors { get; private set; }

    /// <summary>Gets the number of retryable (queue-full) replies inside the measured window.</summary>
    public long Retryable { get; private set; }

    /// <summary>Opens a connection to <paramref name="endPoint"/>.</summary>
    public static async Task<LoadConnection> ConnectAsync(EndPoint endPoint, LoadProtocol protocol, CancellationToken ct)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, ct);
            return new LoadConnection(socket, protocol);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request and waits for its reply (the setup of <see cref="LoadMethod.GetProcess"/>).</summary>
    public async Task<ReplyOutcome> RoundTripAsync(ulong sequence, CancellationToken ct)
    {
        await SendAsync(Protocol.Encode(_writer, sequence), ct);
        Frame frame = await _reader.ReadAsync(ct) ?? throw new IOException("The host closed the connection.");
        return Protocol.Classify(frame, sequence);
    }

    /// <summary>
    /// Runs the closed loop: keeps <paramref name="pipeline"/> requests in flight until <paramref name="endTimestamp"/>,
    /// then drains the replies still due. A reply counts when its request was sent at or after
    /// <paramref name="startTimestamp"/> and it arrived by <paramref name="endTimestamp"/> (Stopwatch timestamps).
    /// </summary>
    public async Task RunAsync(long startTimestamp, long endTimestamp, int pipeline, CancellationToken ct)
    {
        // Ring of the requests in flight, oldest at head; replies come back in order (§1.7).
        var sentAt = new long[pipeline];
        var sequences = new ulong[pipeline];
        int head = 0;
        int inFlight = 0;
        ulong next = 1;

        for (; inFlight < pipeline; inFlight++)
        {
            sequences[inFlight] = next;
            sentAt[inFlight] = Stopwatch.GetTimestamp();
            await SendAsync(Protocol.Encode(_writer, next++), ct);
        }

        while (inFlight > 0)
        {
            Frame frame = await _reader.ReadAsync(ct) ?? throw new IOException("The host closed the connection.");
            long now = Stopwatch.GetTimestamp();
            long sent = sentAt[head];
            ReplyOutcome outcome = Protocol.Classify(frame, sequences[head]);
            if (sent >= startTimestamp && now <= endTimestamp)
            {
                Histogram.Record(LatencyHistogram.TicksToNanoseconds(now - sent));
                Requests++;
                if (outcome == ReplyOutcome.Error)
                {
                    Errors++;
                }
                else if (outcome == ReplyOutcome.Retryable)
                {
                    Retryable++;
                }
            }

            if (now < endTimestamp)
            {
                // The freed slot takes the next request; the ring stays full.
                sequences[head] = next;
                sentAt[head] = Stopwatch.GetTimestamp();
                await SendAsync(Protocol.Encode(_writer, next++), ct);
            }
            else
            {
                inFlight--;
            }

            head = head + 1 == pipeline ? 0 : head + 1;
        }

        _reader.ReleaseFrame();
    }

    /// <summary>Closes the connection: no more sends, then the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already reset by the peer: nothing left to say.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        await _input.CompleteAsync();
        await _stream.DisposeAsync();
        _writer.Dispose();
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        while (!frame.IsEmpty)
        {
            int sent = await _socket.SendAsync(frame, SocketFlags.None, ct);
            frame = frame[sent..];
        }
    }
}
