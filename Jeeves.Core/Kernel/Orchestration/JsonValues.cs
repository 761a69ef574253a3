using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Orchestration;

/// <summary>Turns mutable <see cref="JsonNode"/>s into immutable <see cref="JsonElement"/>s, the kernel's stored form.</summary>
internal static class JsonValues
{
    public static readonly JsonElement EmptyObject = Parse("{}"u8);

    public static readonly JsonElement Null = Parse("null"u8);

    public static JsonElement ToElement(JsonNode? node)
    {
        if (node is null)
        {
            return Null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            node.WriteTo(writer);
        }

        return Parse(buffer.WrittenSpan);
    }

    public static JsonElement Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        return JsonElement.ParseValue(ref reader);
    }
}
