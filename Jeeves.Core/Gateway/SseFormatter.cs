using System.Buffers;
using System.Text;

namespace Jeeves.Gateway;

/// <summary>
/// Writes the frames of a server-sent event stream: numbered events, comments and the <c>[DONE]</c> sentinel.
/// </summary>
/// <remarks>
/// An event is <c>id: n</c>, <c>event: name</c>, one <c>data:</c> line per line of the payload (split at
/// <c>\r\n</c>, <c>\r</c> and <c>\n</c>, as a client splits them), then a blank line. Line breaks in names and comments
/// are replaced by spaces, so no value can end a frame early or inject a field.
/// </remarks>
public static class SseFormatter
{
    /// <summary>The comment frame written when a stream has been silent for the keep-alive interval.</summary>
    public const string KeepAliveComment = "keepalive";

    private static ReadOnlySpan<byte> DoneSentinel => "data: [DONE]\n\n"u8;

    /// <summary>Writes one event frame.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="id">The event id, or <see langword="null"/> for none.</param>
    /// <param name="name">The event name, or <see langword="null"/> for an unnamed (<c>message</c>) event.</param>
    /// <param name="data">The payload.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="data"/> is <see langword="null"/>.</exception>
    public static void WriteEvent(IBufferWriter<byte> output, long? id, string? name, string data)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(data);
        if (id is { } n)
        {
            WriteLine(output, "id: ", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (name is not null)
        {
            WriteLine(output, "event: ", OneLine(name));
        }

        int start = 0;
        while (true)
        {
            int end = data.AsSpan(start).IndexOfAny('\r', '\n');
            if (end < 0)
            {
                WriteLine(output, "data: ", data.AsSpan(start));
                break;
            }

            WriteLine(output, "data: ", data.AsSpan(start, end));
            start += end + (data[start + end] == '\r' && start + end + 1 < data.Length && data[start + end + 1] == '\n' ? 2 : 1);
        }

        Write(output, "\n"u8);
    }

    /// <summary>Writes a comment frame, which clients ignore; used to keep idle connections open.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="text">The comment.</param>
    public static void WriteComment(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        WriteLine(output, ": ", OneLine(text));
        Write(output, "\n"u8);
    }

    /// <summary>Writes the <c>data: [DONE]</c> sentinel that ends a successful stream.</summary>
    /// <param name="output">Where to write.</param>
    public static void WriteDone(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Write(output, DoneSentinel);
    }

    /// <summary>Formats one event frame as text.</summary>
    /// <param name="id">The event id, or <see langword="null"/>.</param>
    /// <param name="name">The event name, or <see langword="null"/>.</param>
    /// <param name="data">The payload.</param>
    /// <returns>The frame, ending with its blank line.</returns>
    public static string Format(long? id, string? name, string data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteEvent(buffer, id, name, data);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string OneLine(string value) =>
        value.AsSpan().IndexOfAny('\r', '\n') < 0 ? value : value.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\r', ' ').Replace('\n', ' ');

    private static void WriteLine(IBufferWriter<byte> output, string field, ReadOnlySpan<char> value)
    {
        Span<byte> fieldBytes = output.GetSpan(field.Length);
        int written = Encoding.UTF8.GetBytes(field, fieldBytes);
        output.Advance(written);
        if (!value.IsEmpty)
        {
            Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            output.Advance(Encoding.UTF8.GetBytes(value, span));
        }

        Write(output, "\n"u8);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
