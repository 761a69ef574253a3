using System.Text;
using System.Text.Json.Nodes;
using MessagePack;

namespace Jeeves.Tests.Ipc;

/// <summary>What a value means on the wire, to compare what was encoded with what was decoded.</summary>
internal static class WireSemantics
{
    /// <summary>
    /// Whether <paramref name="decoded"/> is what the wire makes of <paramref name="original"/>: same structure and keys
    /// (in any order), same strings and booleans, integers as the same integer, floats as the same double bits.
    /// </summary>
    public static bool Same(JsonNode? original, JsonNode? decoded) => (original, decoded) switch
    {
        (null, null) => true,
        (JsonObject a, JsonObject b) => a.Count == b.Count && a.All(e => b.TryGetPropertyValue(e.Key, out JsonNode? v) && Same(e.Value, v)),
        (JsonArray a, JsonArray b) => a.Count == b.Count && a.Zip(b).All(p => Same(p.First, p.Second)),
        (JsonValue a, JsonValue b) => SameScalar(a, b),
        _ => false,
    };

    /// <summary>Whether every map in an encoded value has its keys in strictly ascending UTF-8 byte order.</summary>
    public static bool KeysSorted(byte[] encoded)
    {
        var reader = new MessagePackReader(encoded);
        return KeysSorted(ref reader) && reader.End;
    }

    private static bool KeysSorted(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                int count = reader.ReadMapHeader();
                byte[]? previous = null;
                for (int i = 0; i < count; i++)
                {
                    byte[] key = Encoding.UTF8.GetBytes(reader.ReadString()!);
                    if (previous is not null && previous.AsSpan().SequenceCompareTo(key) >= 0)
                    {
                        return false;
                    }

                    previous = key;
                    if (!KeysSorted(ref reader))
                    {
                        return false;
                    }
                }

                return true;
            case MessagePackType.Array:
                int length = reader.ReadArrayHeader();
                for (int i = 0; i < length; i++)
                {
                    if (!KeysSorted(ref reader))
                    {
                        return false;
                    }
                }

                return true;
            default:
                reader.Skip();
                return true;
        }
    }

    private static bool SameScalar(JsonValue original, JsonValue decoded)
    {
        if (original.TryGetValue(out string? text))
        {
            return decoded.TryGetValue(out string? other) && text == other;
        }

        if (original.TryGetValue(out bool flag))
        {
            return decoded.TryGetValue(out bool other) && flag == other;
        }

        if (original.TryGetValue(out double number) || TryFloat(original, out number))
        {
            return decoded.TryGetValue(out double other) && BitConverter.DoubleToInt64Bits(number) == BitConverter.DoubleToInt64Bits(other);
        }

        if (original.TryGetValue(out ulong unsigned) && unsigned > long.MaxValue)
        {
            return decoded.TryGetValue(out ulong other) && other == unsigned;
        }

        long integer = original.TryGetValue(out int small) ? small : original.GetValue<long>();
        return decoded.TryGetValue(out long decodedInteger) && decodedInteger == integer;
    }

    private static bool TryFloat(JsonValue value, out double number)
    {
        bool isFloat = value.TryGetValue(out float single);
        number = single;
        return isFloat;
    }
}
