using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Jeeves.Ipc;

/// <summary>
/// Reads frames from a <see cref="PipeReader"/> (spec/ipc.md §1.2, read path R1–R4): a 4-byte big-endian <c>len</c>
/// covering the type byte and the payload, then <c>len</c> bytes.
/// </summary>
/// <remarks>
/// <para>
/// A frame's payload is a slice of the pipe's buffer, not a copy. It stays valid until the next
/// <see cref="ReadAsync"/>, which first releases it; the reader is therefore for one consumer reading one frame at a
/// time, as the server's per-connection loop does.
/// </para>
/// <para>
/// A whole frame is held in the pipe before it is returned. Over a <see cref="Pipe"/>, set its
/// <see cref="PipeOptions.PauseWriterThreshold"/> above <see cref="FrameLayout.HeaderLength"/> plus the maximum frame
/// (or to 0), or the writer pauses while the reader waits for the rest of a large frame.
/// <see cref="PipeReader.Create(Stream, StreamPipeReaderOptions?)"/> has no such threshold.
/// </para>
/// <para>
/// The read timeout (R1–R4: the whole frame within <c>read_timeout_secs</c>) belongs to the caller: pass a token that
/// is cancelled when it expires.
/// </para>
/// </remarks>
internal sealed class FrameReader
{
    private readonly PipeReader _input;
    private SequencePosition _frameEnd;
    private bool _holdingFrame;

    /// <summary>Initializes a new instance of the <see cref="FrameReader"/> class.</summary>
    /// <param name="input">The connection's inbound bytes.</param>
    /// <param name="maxFrameBytes">The largest accepted <c>len</c> (<c>max_frame_bytes</c>); <c>len == max</c> is accepted.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFrameBytes"/> is below 1 or above <see cref="FrameLayout.MaxConfigurableFrameBytes"/>.</exception>
    public FrameReader(PipeReader input, int maxFrameBytes = FrameLayout.DefaultMaxFrameBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckMaxFrameBytes(maxFrameBytes);
        _input = input;
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>Gets the largest accepted <c>len</c>.</summary>
    public int MaxFrameBytes { get; }

    /// <summary>
    /// Tries to take one whole frame from the start of <paramref name="buffer"/>, without copying.
    /// </summary>
    /// <param name="buffer">The bytes received so far.</param>
    /// <param name="maxFrameBytes">The largest accepted <c>len</c>.</param>
    /// <param name="frame">The frame, when the buffer holds all of it.</param>
    /// <param name="frameEnd">Where the frame ends in <paramref name="buffer"/>.</param>
    /// <param name="needed">When the frame is incomplete, how many bytes from the start of the buffer are needed to go on.</param>
    /// <returns><see langword="true"/> when a whole frame was taken; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="FrameException"><c>len</c> is above the maximum (R2) or 0 (R3); both close the connection.</exception>
    public static bool TryParseFrame(in ReadOnlySequence<byte> buffer, int maxFrameBytes, out Frame frame, out SequencePosition frameEnd, out long needed)
    {
        frame = default;
        frameEnd = buffer.Start;
        if (buffer.Length < FrameLayout.PrefixLength)
        {
            needed = FrameLayout.PrefixLength;
            return false;
        }

        uint length = ReadPrefix(buffer);

        // R2 before R3, as upstream checks them; neither waits for the body.
        if (length > (uint)maxFrameBytes)
        {
            throw FrameException.TooLarge(length, maxFrameBytes);
        }

        if (length == 0)
        {
            throw FrameException.TooShort();
        }

        needed = FrameLayout.PrefixLength + (long)length;
        if (buffer.Length < needed)
        {
            return false;
        }

        ReadOnlySequence<byte> body = buffer.Slice(FrameLayout.PrefixLength, length);
        var type = (FrameType)body.FirstSpan[0];
        frame = new Frame(type, body.Slice(1));
        frameEnd = body.End;
        return true;
    }

    /// <summary>Reads the next frame (R1–R4).</summary>
    /// <param name="ct">Cancelled when the read timeout expires or the connection is shutting down.</param>
    /// <returns>
    /// The frame; <see langword="null"/> when the peer closed the connection before a frame began or inside its 4-byte
    /// prefix (R1: a normal close).
    /// </returns>
    /// <exception cref="FrameException"><c>len</c> is above the maximum (R2) or 0 (R3), or the connection closed inside the frame (R4).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled, or the pending read was cancelled.</exception>
    public ValueTask<Frame?> ReadAsync(CancellationToken ct)
    {
        ReleaseFrame();
        try
        {
            if (!ct.IsCancellationRequested && _input.TryRead(out ReadResult result) && TryTakeFrame(result, out Frame? frame))
            {
                return new ValueTask<Frame?>(frame);
            }
        }
        catch (Exception ex) when (ex is FrameException or OperationCanceledException)
        {
            // Faults surface through the returned task, as they do on the asynchronous path.
            return ValueTask.FromException<Frame?>(ex);
        }

        return ReadSlowAsync(ct);
    }

    /// <summary>Releases the last frame's bytes to the pipe. <see cref="ReadAsync"/> does this itself.</summary>
    public void ReleaseFrame()
    {
        if (_holdingFrame)
        {
            _holdingFrame = false;
            _input.AdvanceTo(_frameEnd);
        }
    }

    internal static void CheckMaxFrameBytes(int maxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxFrameBytes, FrameLayout.MaxConfigurableFrameBytes);
    }

    private static uint ReadPrefix(in ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= FrameLayout.PrefixLength)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(first);
        }

        Span<byte> prefix = stackalloc byte[FrameLayout.PrefixLength];
        buffer.Slice(0, FrameLayout.PrefixLength).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt32BigEndian(prefix);
    }

    // Pooled: a connection waits for almost every frame, and each wait would otherwise allocate a state machine box.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Frame?> ReadSlowAsync(CancellationToken ct)
    {
        while (true)
        {
            // Plain ReadAsync, not ReadAtLeastAsync(needed): over a Pipe, ReadAtLeastAsync sometimes missed the flush
            // that completed a large frame (5 MiB in 64 KiB writes) and never returned. One wake-up per flush is cheap.
            ReadResult result = await _input.ReadAsync(ct).ConfigureAwait(false);
            if (TryTakeFrame(result, out Frame? frame))
            {
                return frame;
            }
        }
    }

    /// <summary>
    /// Takes a frame from a read result, or reports the end of the stream; otherwise marks everything examined and
    /// returns <see langword="false"/>.
    /// </summary>
    /// <returns><see langword="true"/> when <paramref name="frame"/> is the outcome (a frame, or <see langword="null"/> at a clean end).</returns>
    private bool TryTakeFrame(in ReadResult result, out Frame? frame)
    {
        long needed;
        ReadOnlySequence<byte> buffer = result.Buffer;
        bool complete;
        Frame parsed;
        SequencePosition frameEnd;
        try
        {
            complete = TryParseFrame(buffer, MaxFrameBytes, out parsed, out frameEnd, out needed);
        }
        catch (FrameException)
        {
            _input.AdvanceTo(buffer.Start, buffer.End);
            throw;
        }

        if (complete)
        {
            _frameEnd = frameEnd;
            _holdingFrame = true;
            frame = parsed;
            return true;
        }

        _input.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The pending frame read was cancelled.");
        }

        if (result.IsCompleted)
        {
            // R1: an end before or inside the prefix is a normal close; R4: an end inside the body is not.
            if (buffer.Length >= FrameLayout.PrefixLength)
            {
                throw FrameException.Truncated(needed, buffer.Length);
            }

            frame = null;
            return true;
        }

        frame = null;
        return false;
    }
}
