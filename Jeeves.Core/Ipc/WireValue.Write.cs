using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>Encoding: what the reference server emits (spec/ipc.md §3.3).</summary>
internal static partial class WireValue
{
    /// <summary>
    /// Writes <paramref name="value"/> as the reference server would: map keys sorted by their UTF-8 bytes at every
    /// depth, strings in the <c>str</c> family (<c>str8</c> from 32 bytes), non-negative integers in the smallest
    /// unsigned form and negative ones in the smallest signed form, every non-integer number as float64, NaN and the
    /// infinities as nil, and the smallest array and map headers. No <c>bin</c> or <c>ext</c> is ever written.
    /// </summary>
    /// <param name="writer">The writer; the caller flushes it.</param>
    /// <param name="value">The value; <see langword="null"/> is nil.</param>
    /// <remarks>
    /// A number is an integer when its CLR value is one (<see cref="long"/>, <see cref="int"/>, <see cref="ulong"/>…),
    /// or when a value parsed from JSON text has integer syntax, as serde_json decides. <see cref="double"/>,
    /// <see cref="float"/> and <see cref="decimal"/> values are floats even when whole (<c>60.0</c> is <c>cb 40 4e …</c>).
    /// </remarks>
    public static void Write(ref MessagePackWriter writer, JsonNode? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case JsonObject map:
                WriteObject(ref writer, map);
                break;
            case JsonArray array:
                writer.WriteArrayHeader(array.Count);
                foreach (JsonNode? item in array)
                {
                    Write(ref writer, item);
                }

                break;
            default:
                WriteScalar(ref writer, value.AsValue());
                break;
        }
    }

    /// <summary>Writes a map header and the entries of <paramref name="map"/>, keys in UTF-8 byte order.</summary>
    private static void WriteObject(ref MessagePackWriter writer, JsonObject map)
    {
        int count = map.Count;
        writer.WriteMapHeader(count);
        if (IsSorted(map))
        {
            // The common case: responses are built in key order, so nothing needs copying.
            foreach (KeyValuePair<string, JsonNode?> entry in map)
            {
                writer.Write(entry.Key);
                Write(ref writer, entry.Value);
            }

            return;
        }

        KeyValuePair<string, JsonNode?>[] entries = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(count);
        try
        {
            int n = 0;
            foreach (KeyValuePair<string, JsonNode?> entry in map)
            {
                entries[n++] = entry;
            }

            Array.Sort(entries, 0, count, Utf8KeyComparer.Instance);
            for (int i = 0; i < count; i++)
            {
                writer.Write(entries[i].Key);
                Write(ref writer, entries[i].Value);
            }
        }
        finally
        {
            ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(entries, clearArray: true);
        }
    }

    private static bool IsSorted(JsonObject map)
    {
        string? previous = null;
        foreach (KeyValuePair<string, JsonNode?> entry in map)
        {
            if (previous is not null && Utf8KeyComparer.CompareKeys(previous, entry.Key) > 0)
            {
                return false;
            }

            previous = entry.Key;
        }

        return true;
    }

    private static void WriteScalar(ref MessagePackWriter writer, JsonValue value)
    {
        // Values built from CLR primitives are checked first, by their own type; then values parsed from JSON text.
        if (value.TryGetValue(out string? text))
        {
            writer.Write(text);
        }
        else if (value.TryGetValue(out long int64))
        {
            writer.Write(int64);
        }
        else if (value.TryGetValue(out int int32))
        {
            writer.Write(int32);
        }
        else if (value.TryGetValue(out bool flag))
        {
            writer.Write(flag);
        }
        else if (value.TryGetValue(out ulong uint64))
        {
            // Before double: JSON text such as 18446744073709551615 reads as a double too, but serde_json keeps a u64.
            writer.Write(uint64);
        }
        else if (value.TryGetValue(out double float64))
        {
            WriteFloat(ref writer, float64);
        }
        else if (value.TryGetValue(out JsonElement element))
        {
            WriteElement(ref writer, element);
        }
        else
        {
            WriteOther(ref writer, value);
        }
    }

    /// <summary>Writes the other CLR types a <see cref="JsonValue"/> may hold, through their JSON text.</summary>
    private static void WriteOther(ref MessagePackWriter writer, JsonValue value)
    {
        if (value.TryGetValue(out uint uint32))
        {
            writer.Write(uint32);
        }
        else if (value.TryGetValue(out short int16))
        {
            writer.Write(int16);
        }
        else if (value.TryGetValue(out ushort uint16))
        {
            writer.Write(uint16);
        }
        else if (value.TryGetValue(out byte uint8))
        {
            writer.Write(uint8);
        }
        else if (value.TryGetValue(out sbyte int8))
        {
            writer.Write(int8);
        }
        else if (value.TryGetValue(out float float32))
        {
            WriteFloat(ref writer, float32);
        }
        else if (value.TryGetValue(out decimal dec))
        {
            WriteFloat(ref writer, (double)dec);
        }
        else
        {
            // Anything else (Guid, DateTimeOffset, char, an enum…) is written as its JSON text reads.
            using JsonDocument document = JsonDocument.Parse(value.ToJsonString());
            WriteElement(ref writer, document.RootElement);
        }
    }

    private static void WriteFloat(ref MessagePackWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.Write(value);
        }
        else
        {
            // serde_json has no NaN or infinity: upstream would hold null.
            writer.WriteNil();
        }
    }

    /// <summary>Writes a parsed JSON value; a number is an integer when its text is, as serde_json parses it.</summary>
    private static void WriteElement(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(ref writer, JsonObject.Create(element)!);
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteElement(ref writer, item);
                }

                break;
            case JsonValueKind.String:
                writer.Write(element.GetString());
                break;
            case JsonValueKind.Number when element.TryGetInt64(out long int64):
                writer.Write(int64);
                break;
            case JsonValueKind.Number when element.TryGetUInt64(out ulong uint64):
                writer.Write(uint64);
                break;
            case JsonValueKind.Number:
                WriteFloat(ref writer, element.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }
}
