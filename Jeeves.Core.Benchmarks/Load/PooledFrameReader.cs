using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Jeeves.Ipc;

namespace Jeeves.Benchmarks.Load;

/// <summary>
/// Reads frames like <see cref="FrameReader"/> (and with its parser, <see cref="FrameReader.TryParseFrame"/>, so the
/// same R1–R4 rules apply), but its wait for more bytes uses a pooled async builder. <see cref="FrameReader"/>'s slow
/// path allocates a state-machine box every time a read has to wait, which in a request/response loop is every
/// request, on both ends; the load generator must not measure its own allocations.
/// </summary>
internal sealed class PooledFrameReader
{
    private readonly PipeReader _input;
    private SequencePosition _frameEnd;
    private bool _holdingFrame;

    /// <summary>Initializes a new instance of the <see cref="PooledFrameReader"/> class.</summary>
    public PooledFrameReader(PipeReader input) => _input = input;

    /// <summary>Reads the next frame; <see langword="null"/> at a clean end (R1). The payload is valid until the next call.</summary>
    /// <exception cref="FrameException">R2–R4.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Frame?> ReadAsync(CancellationToken ct)
    {
        ReleaseFrame();
        while (true)
        {
            ReadResult result = await _input.ReadAsync(ct);
            ReadOnlySequence<byte> buffer = result.Buffer;
            bool complete;
            Frame frame;
            SequencePosition frameEnd;
            long needed;
            try
            {
                complete = FrameReader.TryParseFrame(buffer, FrameLayout.DefaultMaxFrameBytes, out frame, out frameEnd, out needed);
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
                return frame;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pending frame read was cancelled.");
            }

            if (result.IsCompleted)
            {
                return buffer.Length >= FrameLayout.PrefixLength ? throw FrameException.Truncated(needed, buffer.Length) : null;
            }
        }
    }

    /// <summary>Releases the last frame's bytes to the pipe.</summary>
    public void ReleaseFrame()
    {
        if (_holdingFrame)
        {
            _holdingFrame = false;
            _input.AdvanceTo(_frameEnd);
        }
    }
}
