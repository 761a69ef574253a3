using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Tools;

/// <summary>Classifies <see cref="JsonNode"/> values the way the reference's JSON library does.</summary>
internal static class JsonTypes
{
    /// <summary>Gets the reference's type name: <c>null</c>, <c>boolean</c>, <c>number</c>, <c>string</c>, <c>array</c> or <c>object</c>.</summary>
    public static string NameOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        },
    };

    public static bool IsString(JsonNode? node, out string? value)
    {
        value = null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }

        if (!v.TryGetValue(out value))
        {
            // A string-kind value built from another CLR type (char, Guid, DateTime...): read its JSON text.
            using JsonDocument document = JsonDocument.Parse(v.ToJsonString());
            value = document.RootElement.GetString();
        }

        return true;
    }

    public static bool IsBoolean(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    public static bool IsNumber(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    /// <summary>Whether the value is a whole number that fits a signed or unsigned 64-bit integer, written without a fraction or exponent.</summary>
    public static bool IsInteger(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out JsonElement element))
        {
            // Parsed JSON: the reference reads 5.0 and 5e0 as floats, so only an integer literal counts.
            return element.TryGetInt64(out _) || element.TryGetUInt64(out _);
        }

        // A value built in code: integral CLR types are integers, floating-point and decimal ones are not.
        return v.TryGetValue(out long _) || v.TryGetValue(out ulong _) || v.TryGetValue(out int _) || v.TryGetValue(out uint _) ||
               v.TryGetValue(out short _) || v.TryGetValue(out ushort _) || v.TryGetValue(out byte _) || v.TryGetValue(out sbyte _);
    }
}
