using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using MessagePack;

namespace Jeeves.Ipc;

/// <summary>
/// The one mapping between MessagePack and the domain's dynamic JSON type, <see cref="JsonNode"/>: decoding follows
/// what the reference server accepts (spec/ipc.md §3.1), encoding what it emits (§3.3, in <c>WireValue.Write.cs</c>).
/// </summary>
/// <remarks>
/// Decoded values: maps become <see cref="JsonObject"/> (string keys only; the last of duplicate keys wins), arrays
/// <see cref="JsonArray"/>, strings a string <see cref="JsonValue"/>, integers a <see cref="long"/> value (a
/// <see cref="ulong"/> one above <see cref="long.MaxValue"/>), float32 and float64 a <see cref="double"/> value (NaN and
/// infinities become <see langword="null"/>), booleans a <see cref="bool"/> value, and nil <see langword="null"/>.
/// <c>bin</c>, <c>ext</c>, the reserved marker <c>0xc1</c>, non-string keys, invalid UTF-8 and more than
/// <see cref="FrameLayout.MaxNestingDepth"/> nested containers fail with a <see cref="FrameException"/> whose message is
/// <c>Invalid msgpack: &lt;detail&gt;</c>, the detail worded as the reference decoder words it.
/// </remarks>
internal static partial class WireValue
{
    private const string ExpectedValue = "any valid JSON value";
    private const string MarkerEof = "IO error while reading marker: failed to fill whole buffer";
    private const string DataEof = "IO error while reading data: failed to fill whole buffer";

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes the first MessagePack value of <paramref name="payload"/>; bytes after it are ignored, as upstream ignores them.</summary>
    /// <param name="payload">A frame's payload.</param>
    /// <returns>The value; <see langword="null"/> for nil.</returns>
    /// <exception cref="FrameException">The payload is empty or not an acceptable value (<see cref="FrameFault.InvalidMsgpack"/>).</exception>
    public static JsonNode? Decode(in ReadOnlySequence<byte> payload)
    {
        var reader = new MessagePackReader(payload);
        return Read(ref reader);
    }

    /// <summary>Reads one value at the reader's position, counting nesting from the reader's <see cref="MessagePackReader.Depth"/>.</summary>
    /// <param name="reader">The reader, left after the value.</param>
    /// <returns>The value; <see langword="null"/> for nil.</returns>
    /// <exception cref="FrameException">The value is not acceptable (<see cref="FrameFault.InvalidMsgpack"/>).</exception>
    public static JsonNode? Read(ref MessagePackReader reader)
    {
        try
        {
            return ReadValue(ref reader);
        }
        catch (Exception ex) when (TranslateDecoderException(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Reads a map key: the first key of a map and the later ones are worded differently when they are not strings.</summary>
    /// <exception cref="FrameException">The key is not a valid string.</exception>
    internal static string ReadKey(ref MessagePackReader reader, bool first)
    {
        byte code = NextCode(ref reader);
        if (IsString(code))
        {
            return ReadString(ref reader);
        }

        throw FrameException.InvalidMsgpack($"invalid type: {Describe(ref reader, code)}, expected {(first ? "a string key" : "a string")}");
    }

    /// <summary>Reads a string value, checked to be valid UTF-8. The caller has checked the marker.</summary>
    internal static string ReadString(ref MessagePackReader reader)
    {
        CheckDeclaredLength(ref reader, bytesPerItem: 1);
        ReadOnlySequence<byte> sequence = reader.ReadStringSequence() ?? throw FrameException.InvalidMsgpack(DataEof);
        if (sequence.IsSingleSegment)
        {
            return DecodeUtf8(sequence.FirstSpan);
        }

        int length = checked((int)sequence.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            sequence.CopyTo(rented);
            return DecodeUtf8(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Fails with the reference's end-of-data detail when the next str, array or map header is cut short or declares
    /// more than the payload can hold (at least one byte per string byte or element, two per map entry).
    /// </summary>
    /// <remarks>
    /// Checked here rather than left to <see cref="MessagePackReader"/>, which throws
    /// <see cref="ArgumentOutOfRangeException"/> or <see cref="OverflowException"/> for some of these (a str32 of
    /// 2^31 bytes, a string cut short across segments) instead of <see cref="EndOfStreamException"/>.
    /// </remarks>
    internal static void CheckDeclaredLength(ref MessagePackReader reader, int bytesPerItem)
    {
        byte code = reader.NextCode;
        int headerLength = code switch
        {
            MessagePackCode.Str8 => 2,
            MessagePackCode.Str16 or MessagePackCode.Map16 or MessagePackCode.Array16 => 3,
            MessagePackCode.Str32 or MessagePackCode.Map32 or MessagePackCode.Array32 => 5,
            _ => 1,
        };
        long remaining = reader.Sequence.Length - reader.Consumed - headerLength;
        if (remaining < 0)
        {
            throw FrameException.InvalidMsgpack(DataEof);
        }

        long declared;
        if (headerLength == 1)
        {
            // fixstr, fixmap, fixarray: the count is in the marker's low bits.
            declared = code & (IsString(code) ? 0x1F : 0x0F);
        }
        else
        {
            Span<byte> header = stackalloc byte[5];
            reader.Sequence.Slice(reader.Position, headerLength).CopyTo(header);
            declared = headerLength switch
            {
                2 => header[1],
                3 => BinaryPrimitives.ReadUInt16BigEndian(header[1..]),
                _ => BinaryPrimitives.ReadUInt32BigEndian(header[1..]),
            };
        }

        if (declared * bytesPerItem > remaining)
        {
            throw FrameException.InvalidMsgpack(DataEof);
        }
    }

    internal static bool IsMap(byte code) =>
        code is >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap or MessagePackCode.Map16 or MessagePackCode.Map32;

    internal static bool IsString(byte code) =>
        code is >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr or MessagePackCode.Str8 or MessagePackCode.Str16 or MessagePackCode.Str32;

    /// <summary>Gets the next marker, failing as the reference does when the payload ends before it.</summary>
    internal static byte NextCode(ref MessagePackReader reader) =>
        reader.End ? throw FrameException.InvalidMsgpack(MarkerEof) : reader.NextCode;

    /// <summary>Maps what <see cref="MessagePackReader"/> throws to the reference decoder's detail; <see langword="null"/> lets it pass.</summary>
    internal static FrameException? TranslateDecoderException(Exception ex) => ex switch
    {
        EndOfStreamException => FrameException.InvalidMsgpack(DataEof, ex),
        InsufficientExecutionStackException => FrameException.InvalidMsgpack("depth limit exceeded", ex),
        MessagePackSerializationException => FrameException.InvalidMsgpack(ex.Message, ex),
        _ => null,
    };

    /// <summary>Reads one value; what <see cref="MessagePackReader"/> throws is left for <see cref="TranslateDecoderException"/>.</summary>
    internal static JsonNode? ReadValue(ref MessagePackReader reader)
    {
        byte code = NextCode(ref reader);
        switch (code)
        {
            case <= MessagePackCode.MaxFixInt or >= MessagePackCode.MinNegativeFixInt:
            case MessagePackCode.UInt8 or MessagePackCode.UInt16 or MessagePackCode.UInt32:
            case MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64:
                return JsonValue.Create(reader.ReadInt64());
            case MessagePackCode.UInt64:
                ulong unsigned = reader.ReadUInt64();
                return unsigned <= long.MaxValue ? JsonValue.Create((long)unsigned) : JsonValue.Create(unsigned);
            case MessagePackCode.Float32 or MessagePackCode.Float64:
                // float32 is widened; NaN and the infinities have no JSON number, so they become null as upstream.
                double number = code == MessagePackCode.Float32 ? reader.ReadSingle() : reader.ReadDouble();
                return double.IsFinite(number) ? JsonValue.Create(number) : null;
            case MessagePackCode.Nil:
                reader.ReadNil();
                return null;
            case MessagePackCode.True or MessagePackCode.False:
                return JsonValue.Create(reader.ReadBoolean());
            case var _ when IsMap(code):
                return ReadObject(ref reader);
            case >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray or MessagePackCode.Array16 or MessagePackCode.Array32:
                return ReadArray(ref reader);
            case var _ when IsString(code):
                return JsonValue.Create(ReadString(ref reader));
            default:
                throw FrameException.InvalidMsgpack($"invalid type: {Describe(ref reader, code)}, expected {ExpectedValue}");
        }
    }

    private static JsonObject ReadObject(ref MessagePackReader reader)
    {
        WireOptions.Security.DepthStep(ref reader);
        CheckDeclaredLength(ref reader, bytesPerItem: 2);
        int count = reader.ReadMapHeader();
        var map = new JsonObject();
        for (int i = 0; i < count; i++)
        {
            string key = ReadKey(ref reader, first: i == 0);

            // Upstream decodes into a map, so the last of duplicate keys wins.
            map[key] = ReadValue(ref reader);
        }

        reader.Depth--;
        return map;
    }

    private static JsonArray ReadArray(ref MessagePackReader reader)
    {
        WireOptions.Security.DepthStep(ref reader);
        CheckDeclaredLength(ref reader, bytesPerItem: 1);
        int count = reader.ReadArrayHeader();
        var array = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            array.Add(ReadValue(ref reader));
        }

        reader.Depth--;
        return array;
    }

    /// <summary>
    /// Words a value the way serde's <c>Unexpected</c> does (<c>integer `1`</c>, <c>byte array</c>…) for an
    /// <c>invalid type</c> detail. Scalars are read to quote them; containers and byte strings are not.
    /// </summary>
    private static string Describe(ref MessagePackReader reader, byte code)
    {
        switch (code)
        {
            case <= MessagePackCode.MaxFixInt or >= MessagePackCode.MinNegativeFixInt:
            case MessagePackCode.UInt8 or MessagePackCode.UInt16 or MessagePackCode.UInt32:
            case MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64:
                return string.Create(CultureInfo.InvariantCulture, $"integer `{reader.ReadInt64()}`");
            case MessagePackCode.UInt64:
                return string.Create(CultureInfo.InvariantCulture, $"integer `{reader.ReadUInt64()}`");
            case MessagePackCode.Float32 or MessagePackCode.Float64:
                return $"floating point `{FormatFloat(code == MessagePackCode.Float32 ? reader.ReadSingle() : reader.ReadDouble())}`";
            case MessagePackCode.True or MessagePackCode.False:
                return reader.ReadBoolean() ? "boolean `true`" : "boolean `false`";
            case MessagePackCode.Nil:
                return "unit value";
            case >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap or MessagePackCode.Map16 or MessagePackCode.Map32:
                return "map";
            case >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray or MessagePackCode.Array16 or MessagePackCode.Array32:
                return "sequence";
            case MessagePackCode.Bin8 or MessagePackCode.Bin16 or MessagePackCode.Bin32:
                return "byte array";
            case MessagePackCode.NeverUsed:
                throw FrameException.InvalidMsgpack("wrong msgpack marker Reserved");
            default:
                // fixext 1–16 and ext 8/16/32: rmp-serde hands an ext to the visitor as a newtype struct.
                return "newtype struct";
        }
    }

    // Close to Rust's float Display as serde quotes it: shortest round-trip digits and a ".0" on whole values
    // (Rust never uses an exponent; very large or small keys keep .NET's exponent form here).
    private static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().ContainsAny('.', 'E') ? text : text + ".0";
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return s_strictUtf8.GetString(bytes);
        }

        throw FrameException.InvalidMsgpack("string found to be invalid UTF-8: " + DescribeUtf8Error(bytes));
    }

    /// <summary>Words the first UTF-8 error as Rust's <c>Utf8Error</c> does; both count the maximal invalid subpart.</summary>
    private static string DescribeUtf8Error(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length)
        {
            OperationStatus status = Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed);
            switch (status)
            {
                case OperationStatus.Done:
                    index += consumed;
                    break;
                case OperationStatus.NeedMoreData:
                    return string.Create(CultureInfo.InvariantCulture, $"incomplete utf-8 byte sequence from index {index}");
                default:
                    return string.Create(CultureInfo.InvariantCulture, $"invalid utf-8 sequence of {consumed} bytes from index {index}");
            }
        }

        return "invalid utf-8";
    }
}
