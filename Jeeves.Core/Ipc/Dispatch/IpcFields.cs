using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Ipc;

/// <summary>
/// Reads request fields the lenient way the reference handlers do (ipc.md §3.2, §6.0): a field of the wrong type counts
/// as absent and takes its default; required strings must be present and strings; integers are read through a signed
/// 64-bit view, so a uint64 above <see cref="long.MaxValue"/> and any float also count as absent.
/// </summary>
internal static class IpcFields
{
    /// <summary>The field's value, or <see langword="null"/> when absent (JSON null reads as absent too).</summary>
    public static JsonNode? Get(JsonObject body, string name) => body.TryGetPropertyValue(name, out JsonNode? node) ? node : null;

    /// <summary>A required string; <c>Missing required field: name</c> when absent or not a string. Empty is accepted.</summary>
    public static string RequireString(JsonObject body, string name) =>
        AsString(Get(body, name)) ?? throw Missing(name);

    /// <summary>An optional string; <see langword="null"/> when absent or not a string.</summary>
    public static string? OptionalString(JsonObject body, string name) => AsString(Get(body, name));

    /// <summary>An optional string that is <paramref name="defaultValue"/> when absent or not a string.</summary>
    public static string OptionalString(JsonObject body, string name, string defaultValue) => AsString(Get(body, name)) ?? defaultValue;

    /// <summary>A required, non-empty process id: <c>Missing required field: name</c>, then <c>ProcessId cannot be empty</c>.</summary>
    public static ProcessId RequirePid(JsonObject body, string name)
    {
        string text = RequireString(body, name);
        return text.Length == 0 ? throw KernelErrors.Validation("ProcessId cannot be empty") : new ProcessId(text);
    }

    /// <summary>An optional boolean; <paramref name="defaultValue"/> when absent or not a boolean.</summary>
    public static bool OptionalBool(JsonObject body, string name, bool defaultValue) => AsBool(Get(body, name)) ?? defaultValue;

    /// <summary>The value of a boolean; <see langword="null"/> for anything else.</summary>
    public static bool? AsBool(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False && v.TryGetValue(out bool b) ? b : null;

    /// <summary>An optional object; <see langword="null"/> when absent or not an object.</summary>
    public static JsonObject? OptionalObject(JsonObject body, string name) => Get(body, name) as JsonObject;

    /// <summary>An optional array; <see langword="null"/> when absent or not an array.</summary>
    public static JsonArray? OptionalArray(JsonObject body, string name) => Get(body, name) as JsonArray;

    /// <summary>The string elements of an array, in order; other elements are dropped.</summary>
    public static List<string> Strings(JsonArray array)
    {
        var result = new List<string>(array.Count);
        foreach (JsonNode? item in array)
        {
            if (AsString(item) is { } s)
            {
                result.Add(s);
            }
        }

        return result;
    }

    /// <summary>An optional integer that fits a signed 64-bit value; <see langword="null"/> when absent or not such an integer.</summary>
    public static long? OptionalInt64(JsonObject body, string name) => TryGetInt64(Get(body, name), out long value) ? value : null;

    /// <summary>
    /// An optional non-negative 32-bit integer, named <paramref name="label"/> in errors:
    /// <c>label must be non-negative, got n</c> or <c>label value n exceeds i32 range</c>.
    /// </summary>
    public static int? OptionalNonNegativeInt32(JsonObject body, string name, string label) => NonNegativeInt32(Get(body, name), label);

    /// <summary>The value of <see cref="OptionalNonNegativeInt32(JsonObject, string, string)"/>'s field.</summary>
    public static int? NonNegativeInt32(JsonNode? node, string label)
    {
        if (NonNegativeInt64(node, label) is not { } value)
        {
            return null;
        }

        return value > int.MaxValue
            ? throw KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"{label} value {value} exceeds i32 range"))
            : (int)value;
    }

    /// <summary>An optional non-negative 64-bit integer: <c>label must be non-negative, got n</c>.</summary>
    public static long? OptionalNonNegativeInt64(JsonObject body, string name, string label) => NonNegativeInt64(Get(body, name), label);

    /// <summary>The value of <see cref="OptionalNonNegativeInt64(JsonObject, string, string)"/>'s field.</summary>
    public static long? NonNegativeInt64(JsonNode? node, string label)
    {
        if (!TryGetInt64(node, out long value))
        {
            return null;
        }

        return value < 0 ? throw Negative(label, value) : value;
    }

    /// <summary>The NEG error of the reference.</summary>
    public static KernelException Negative(string label, long value) =>
        KernelErrors.Validation(string.Create(CultureInfo.InvariantCulture, $"{label} must be non-negative, got {value}"));

    /// <summary>The MISSING error of the reference.</summary>
    public static KernelException Missing(string name) => KernelErrors.Validation("Missing required field: " + name);

    /// <summary>The text of a string value; <see langword="null"/> for anything else.</summary>
    public static string? AsString(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.TryGetValue(out string? s) ? s : null;

    /// <summary>Reads an integer of any CLR integral type (or a JSON integer literal) that fits a signed 64-bit value.</summary>
    public static bool TryGetInt64(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        if (v.TryGetValue(out long l))
        {
            value = l;
            return true;
        }

        if (v.TryGetValue(out int i))
        {
            value = i;
            return true;
        }

        if (v.TryGetValue(out ulong u))
        {
            value = (long)u;
            return u <= long.MaxValue;
        }

        if (v.TryGetValue(out uint ui))
        {
            value = ui;
            return true;
        }

        if (v.TryGetValue(out short s))
        {
            value = s;
            return true;
        }

        if (v.TryGetValue(out ushort us))
        {
            value = us;
            return true;
        }

        if (v.TryGetValue(out byte b))
        {
            value = b;
            return true;
        }

        if (v.TryGetValue(out sbyte sb))
        {
            value = sb;
            return true;
        }

        return false;
    }
}
