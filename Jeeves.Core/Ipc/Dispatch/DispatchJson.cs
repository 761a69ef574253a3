using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Kernel.Orchestration;

namespace Jeeves.Ipc;

/// <summary>
/// Converts between the kernel's stored JSON (<see cref="JsonElement"/>) and the dispatcher's <see cref="JsonNode"/>
/// bodies, whose values are only strings, <see cref="long"/>, <see cref="ulong"/>, <see cref="double"/>, booleans,
/// arrays and objects (the codec's contract). Object keys come out ordinal-sorted, as on the wire (ipc.md §3.3).
/// </summary>
internal static class DispatchJson
{
    /// <summary>Converts a stored JSON value; <see langword="null"/> for JSON null or an undefined element.</summary>
    public static JsonNode? ToNode(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<KeyValuePair<string, JsonNode?>>();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    properties.Add(new(property.Name, ToNode(property.Value)));
                }

                // Duplicate keys: the last one wins, as in the codec.
                var byKey = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, JsonNode?> p in properties)
                {
                    byKey[p.Key] = p.Value;
                }

                var result = new JsonObject();
                foreach (KeyValuePair<string, JsonNode?> p in byKey)
                {
                    result.Add(p.Key, p.Value);
                }

                return result;
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    array.Add(ToNode(item));
                }

                return array;
            case JsonValueKind.String:
                return JsonValue.Create(element.GetString()!);
            case JsonValueKind.Number:
                if (element.TryGetInt64(out long l))
                {
                    return JsonValue.Create(l);
                }

                if (element.TryGetUInt64(out ulong u))
                {
                    return JsonValue.Create(u);
                }

                return element.TryGetDouble(out double d) ? JsonValue.Create(d) : null;
            case JsonValueKind.True:
                return JsonValue.Create(true);
            case JsonValueKind.False:
                return JsonValue.Create(false);
            default:
                return null;
        }
    }

    /// <summary>Converts an optional stored JSON value.</summary>
    public static JsonNode? ToNode(JsonElement? element) => element is { } e ? ToNode(e) : null;

    /// <summary>Copies a request or kernel value into a fresh, key-sorted node that nothing else references.</summary>
    public static JsonNode? Copy(JsonNode? node) => node is null ? null : ToNode(ToElement(node));

    /// <summary>Converts a request value into the kernel's immutable form.</summary>
    public static JsonElement ToElement(JsonNode? node) => JsonValues.ToElement(node);
}
