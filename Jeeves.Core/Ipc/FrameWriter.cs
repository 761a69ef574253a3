using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// Builds one outbound frame at a time in one pooled buffer (prefix, type byte, payload), so the host can send each
/// frame with a single write (spec/ipc.md §1.5).
/// </summary>
/// <remarks>
/// Each <c>Write*</c> method returns the whole frame, valid until the next call or <see cref="Dispose"/>. Not thread
/// safe: one per connection, used by the one task that writes to it. The payload maps are those of §2, encoded by
/// <see cref="WireValue"/>; outbound size is not capped (upstream does not cap it either), so the host decides what to
/// do with a frame above the peer's limit (<see cref="FrameLayout.DefaultMaxFrameBytes"/> for the Python client).
/// </remarks>
internal sealed class FrameWriter : IBufferWriter<byte>, IDisposable
{
    private const int DefaultCapacity = 4096;

    // A buffer grown past this for one large frame goes back to the pool before the next frame.
    private const int RetainedCapacity = 1024 * 1024;

    private byte[] _buffer;
    private int _written;

    /// <summary>Initializes a new instance of the <see cref="FrameWriter"/> class.</summary>
    /// <param name="initialCapacity">The initial buffer size in bytes; it grows as needed.</param>
    public FrameWriter(int initialCapacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, FrameLayout.HeaderLength);
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _written = FrameLayout.HeaderLength;
    }

    /// <summary>Writes a <see cref="FrameType.Response"/> frame: <c>{body, id, ok: true}</c> (§2.2).</summary>
    public ReadOnlyMemory<byte> WriteResponse(string id, JsonNode? body)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteResponse(ref writer, id, body);
        return End(ref writer, FrameType.Response);
    }

    /// <summary>Writes a <see cref="FrameType.Response"/> frame for a handler's reply, written without nodes where it allows.</summary>
    public ReadOnlyMemory<byte> WriteResponse(string id, in IpcReply body)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteResponse(ref writer, id, body);
        return End(ref writer, FrameType.Response);
    }

    /// <summary>Writes a <see cref="FrameType.Error"/> frame: <c>{error: {code, message}, id, ok: false}</c> (§2.3).</summary>
    public ReadOnlyMemory<byte> WriteError(string id, KernelErrorCode code, string message)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteError(ref writer, id, code, message);
        return End(ref writer, FrameType.Error);
    }

    /// <summary>Writes the error frame for a <see cref="FrameException"/> that does not close the connection (R5–R7).</summary>
    /// <exception cref="ArgumentException">The fault closes the connection; no frame is due.</exception>
    public ReadOnlyMemory<byte> WriteError(FrameException fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.ClosesConnection)
        {
            throw new ArgumentException($"A {fault.Fault} fault closes the connection without an error frame.", nameof(fault));
        }

        return WriteError(fault.RequestId, KernelErrorCode.InvalidArgument, fault.Message);
    }

    /// <summary>Writes the queue-full <see cref="FrameType.Error"/> frame of §1.8, with its two extra error fields.</summary>
    public ReadOnlyMemory<byte> WriteQueueFull(string id, int kernelQueueCapacity)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteQueueFull(ref writer, id, kernelQueueCapacity);
        return End(ref writer, FrameType.Error);
    }

    /// <summary>Writes a <see cref="FrameType.StreamChunk"/> frame: <c>{body, id}</c> (§2.4).</summary>
    public ReadOnlyMemory<byte> WriteStreamChunk(string id, JsonNode? body)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteStreamChunk(ref writer, id, body);
        return End(ref writer, FrameType.StreamChunk);
    }

    /// <summary>Writes a <see cref="FrameType.StreamEnd"/> frame: <c>{id}</c> (§2.4).</summary>
    public ReadOnlyMemory<byte> WriteStreamEnd(string id)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteStreamEnd(ref writer, id);
        return End(ref writer, FrameType.StreamEnd);
    }

    /// <summary>Writes a <see cref="FrameType.Request"/> frame (the client side), keys in the Python client's order (§2.1).</summary>
    public ReadOnlyMemory<byte> WriteRequest(in WireRequest request)
    {
        MessagePackWriter writer = Begin();
        WireMessages.WriteRequest(ref writer, request);
        return End(ref writer, FrameType.Request);
    }

    /// <summary>Writes a frame around an already encoded payload (any bytes; tests and benchmarks use raw payloads).</summary>
    public ReadOnlyMemory<byte> WriteRaw(FrameType type, ReadOnlySpan<byte> payload)
    {
        Reset();
        payload.CopyTo(GetSpan(payload.Length));
        Advance(payload.Length);
        return Complete(type);
    }

    /// <summary>Starts a new frame: the header bytes are reserved and the payload goes through <see cref="IBufferWriter{T}"/>.</summary>
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        if (_buffer.Length > RetainedCapacity)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(DefaultCapacity);
        }

        _written = FrameLayout.HeaderLength;
    }

    /// <summary>Fills in the prefix and the type byte of the frame written since <see cref="Reset"/> and returns it.</summary>
    /// <exception cref="InvalidOperationException">The payload does not fit a frame's 32-bit length.</exception>
    public ReadOnlyMemory<byte> Complete(FrameType type)
    {
        // len counts the type byte and the payload, not the prefix.
        BinaryPrimitives.WriteUInt32BigEndian(_buffer, (uint)(_written - FrameLayout.PrefixLength));
        _buffer[FrameLayout.PrefixLength] = (byte)type;
        return _buffer.AsMemory(0, _written);
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private MessagePackWriter Begin()
    {
        Reset();
        return new MessagePackWriter(this);
    }

    private ReadOnlyMemory<byte> End(ref MessagePackWriter writer, FrameType type)
    {
        writer.Flush();
        return Complete(type);
    }

    private void Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        long target = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        if (target > Array.MaxLength)
        {
            target = (long)_written + needed;
            if (target > Array.MaxLength)
            {
                throw new InvalidOperationException("The frame does not fit a frame's 32-bit length.");
            }
        }

        byte[] grown = ArrayPool<byte>.Shared.Rent((int)target);
        _buffer.AsSpan(0, _written).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }
}
