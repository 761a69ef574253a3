using System.Buffers;

namespace Jeeves.Ipc;

/// <summary>One inbound frame: its type byte and its payload, a slice of the reader's buffer.</summary>
/// <param name="Type">The type byte; any value, not only the five defined ones.</param>
/// <param name="Payload">The payload (<c>len - 1</c> bytes). Valid until the next read from the same <see cref="FrameReader"/>.</param>
internal readonly record struct Frame(FrameType Type, ReadOnlySequence<byte> Payload)
{
    /// <summary>Gets the frame's <c>len</c>: the type byte plus the payload.</summary>
    public long Length => 1 + Payload.Length;
}
