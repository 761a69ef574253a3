using System.Buffers;
using System.Globalization;
using System.Text;

namespace Jeeves.Tests.Ipc;

/// <summary>Golden bytes written as spec/ipc.md writes them: hex bytes and ASCII strings in quotes.</summary>
internal static class WireBytes
{
    /// <summary>Parses <c>00 00 00 84 ff 83 a5 "error" …</c> into bytes.</summary>
    public static byte[] Parse(string golden)
    {
        var bytes = new List<byte>();
        int i = 0;
        while (i < golden.Length)
        {
            char c = golden[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                int end = golden.IndexOf('"', i + 1);
                bytes.AddRange(Encoding.UTF8.GetBytes(golden[(i + 1)..end]));
                i = end + 1;
            }
            else
            {
                bytes.Add(byte.Parse(golden.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
        }

        return [.. bytes];
    }

    /// <summary>Formats bytes as lower-case hex pairs, for readable assertion failures.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static string Hex(ReadOnlyMemory<byte> bytes) => Hex(bytes.Span);

    public static ReadOnlySequence<byte> Sequence(params byte[] bytes) => new(bytes);

    /// <summary>A sequence split into segments of the given sizes (the rest in one last segment), to test multi-segment reads.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment first = new(bytes.AsMemory(0, Math.Min(segmentSize, bytes.Length)), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < bytes.Length; offset += segmentSize)
        {
            last = last.Append(bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
