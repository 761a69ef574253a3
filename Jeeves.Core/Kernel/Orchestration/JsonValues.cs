using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Orchestration;

/// <summary>Turns mutable <see cref="JsonNode"/>s into immutable <see cref="JsonElement"/>s, the kernel's stored form.</summary>
internal static class JsonValues
{
    public static readonly JsonElement EmptyObject = Parse("{}"u8);

    public static readonly JsonElement Null = Parse("null"u8);

    [ThreadStatic]
    private static Scratch? t_scratch;

    public static JsonElement ToElement(JsonNode? node)
    {
        if (node is null)
        {
            return Null;
        }

        // One writer and buffer per thread: the kernel converts on its loop and clients on theirs. An empty object is
        // recognised by what it writes, not by its Count: counting builds the property table of an object that wraps a
        // parsed element (a model's reply), which writing does not.
        Scratch scratch = t_scratch ??= new Scratch();
        scratch.Buffer.ResetWrittenCount();
        scratch.Writer.Reset(scratch.Buffer);
        node.WriteTo(scratch.Writer);
        scratch.Writer.Flush();
        ReadOnlySpan<byte> written = scratch.Buffer.WrittenSpan;
        JsonElement element = written.SequenceEqual("{}"u8) ? EmptyObject : Parse(written);
        if (scratch.Buffer.Capacity > 64 * 1024)
        {
            // Do not keep a huge buffer alive for the thread's lifetime.
            t_scratch = null;
        }

        return element;
    }

    public static JsonElement Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        return JsonElement.ParseValue(ref reader);
    }

    private sealed class Scratch
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(512);

        public Utf8JsonWriter Writer { get; } = new(Stream.Null);
    }
}
