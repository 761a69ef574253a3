using System.Text;
using System.Text.Json.Nodes;
using Jeeves.Ipc;

namespace Jeeves.Tests.Ipc;

/// <summary>What the server accepts, spec/ipc.md §3.1, and how it refuses the rest.</summary>
public sealed class WireValueDecodingTests
{
    [Test]
    public void Decode_EveryIntegerForm_Int64ValuesAndUInt64AboveInt64()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.Decode("05")!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(WireCodec.Decode("cc ff")!.GetValue<long>(), Is.EqualTo(255));
            Assert.That(WireCodec.Decode("cd 01 00")!.GetValue<long>(), Is.EqualTo(256));
            Assert.That(WireCodec.Decode("ce ff ff ff ff")!.GetValue<long>(), Is.EqualTo(uint.MaxValue));
            Assert.That(WireCodec.Decode("cf 7f ff ff ff ff ff ff ff")!.GetValue<long>(), Is.EqualTo(long.MaxValue));
            Assert.That(WireCodec.Decode("cf 80 00 00 00 00 00 00 00")!.GetValue<ulong>(), Is.EqualTo(9_223_372_036_854_775_808UL));
            Assert.That(WireCodec.Decode("cf ff ff ff ff ff ff ff ff")!.GetValue<ulong>(), Is.EqualTo(ulong.MaxValue));
            Assert.That(WireCodec.Decode("e0")!.GetValue<long>(), Is.EqualTo(-32));
            Assert.That(WireCodec.Decode("d0 80")!.GetValue<long>(), Is.EqualTo(-128));
            Assert.That(WireCodec.Decode("d1 80 00")!.GetValue<long>(), Is.EqualTo(-32768));
            Assert.That(WireCodec.Decode("d2 80 00 00 00")!.GetValue<long>(), Is.EqualTo(int.MinValue));
            Assert.That(WireCodec.Decode("d3 80 00 00 00 00 00 00 00")!.GetValue<long>(), Is.EqualTo(long.MinValue));

            // A signed form holding a positive value is still just an integer.
            Assert.That(WireCodec.Decode("d3 00 00 00 00 00 00 00 07")!.GetValue<long>(), Is.EqualTo(7));
        });
    }

    [Test]
    public void Decode_Floats_DoublesWithFloat32WidenedAndNonFiniteAsNull()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.Decode("cb 40 4e 00 00 00 00 00 00")!.GetValue<double>(), Is.EqualTo(60.0));
            Assert.That(WireCodec.Decode("ca 3f c0 00 00")!.GetValue<double>(), Is.EqualTo(1.5));
            Assert.That(WireCodec.Decode("ca 3f 8c cc cd")!.GetValue<double>(), Is.EqualTo((double)1.1f));
            Assert.That(WireCodec.Decode("cb 7f f8 00 00 00 00 00 00"), Is.Null);
            Assert.That(WireCodec.Decode("cb 7f f0 00 00 00 00 00 00"), Is.Null);
            Assert.That(WireCodec.Decode("ca ff 80 00 00"), Is.Null);
        });
    }

    [Test]
    public void Decode_Scalars_NilBoolString()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.Decode("c0"), Is.Null);
            Assert.That(WireCodec.Decode("c3")!.GetValue<bool>(), Is.True);
            Assert.That(WireCodec.Decode("c2")!.GetValue<bool>(), Is.False);
            Assert.That(WireCodec.Decode("""a2 "hi" """)!.GetValue<string>(), Is.EqualTo("hi"));
            Assert.That(WireCodec.Decode("""d9 02 "hi" """)!.GetValue<string>(), Is.EqualTo("hi"));
            Assert.That(WireCodec.Decode("""da 00 02 "hi" """)!.GetValue<string>(), Is.EqualTo("hi"));
            Assert.That(WireCodec.Decode("""db 00 00 00 02 "hi" """)!.GetValue<string>(), Is.EqualTo("hi"));
        });
    }

    [Test]
    public void Decode_ContainersInEveryHeaderForm_ObjectsAndArrays()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.Decode("""92 01 a1 "x" """)!.ToJsonString(), Is.EqualTo("""[1,"x"]"""));
            Assert.That(WireCodec.Decode("dc 00 01 c3")!.ToJsonString(), Is.EqualTo("[true]"));
            Assert.That(WireCodec.Decode("dd 00 00 00 01 c2")!.ToJsonString(), Is.EqualTo("[false]"));
            Assert.That(WireCodec.Decode("""81 a1 "a" 90""")!.ToJsonString(), Is.EqualTo("""{"a":[]}"""));
            Assert.That(WireCodec.Decode("""de 00 01 a1 "a" c0""")!.ToJsonString(), Is.EqualTo("""{"a":null}"""));
            Assert.That(WireCodec.Decode("""df 00 00 00 01 a1 "a" 80""")!.ToJsonString(), Is.EqualTo("""{"a":{}}"""));
        });
    }

    [Test]
    public void Decode_DuplicateKeys_LastWins()
    {
        JsonNode? value = WireCodec.Decode("""83 a1 "a" 01 a1 "b" 02 a1 "a" 03""");

        Assert.That(value!.ToJsonString(), Is.EqualTo("""{"a":3,"b":2}"""));
    }

    [Test]
    public void Decode_TrailingBytes_Ignored()
    {
        Assert.That(WireCodec.Decode("""81 a1 "a" 01 c1 c1 ff""")!.ToJsonString(), Is.EqualTo("""{"a":1}"""));
    }

    [Test]
    public void Decode_MultiSegmentInput_SameValue()
    {
        // Arrange: a long string and a map cut into 3-byte segments, so strings span segments.
        var map = new JsonObject { ["key"] = new string('é', 300), ["n"] = 70_000, ["list"] = new JsonArray(1.5, "a", null, true) };
        byte[] bytes = WireCodec.Encode(map);

        // Act
        JsonNode? value = WireValue.Decode(WireBytes.Segmented(bytes, 3));

        // Assert
        Assert.That(JsonNode.DeepEquals(value, map), Is.True);
    }

    [Test]
    public void Decode_Bin_RefusedWithTheReferenceDetail()
    {
        Assert.That(WireCodec.DecodeError("c4 02 70 31"), Is.EqualTo("Invalid msgpack: invalid type: byte array, expected any valid JSON value"));
        Assert.That(WireCodec.DecodeError("""81 a3 "pid" c5 00 01 70"""), Is.EqualTo("Invalid msgpack: invalid type: byte array, expected any valid JSON value"));
        Assert.That(WireCodec.DecodeError("""91 c6 00 00 00 01 70"""), Is.EqualTo("Invalid msgpack: invalid type: byte array, expected any valid JSON value"));
    }

    [TestCase("d6 ff 00 00 00 01")]
    [TestCase("d4 01 00")]
    [TestCase("d5 01 00 00")]
    [TestCase("d7 ff 00 00 00 00 00 00 00 00")]
    [TestCase("d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
    [TestCase("c7 01 05 00")]
    [TestCase("c8 00 01 05 00")]
    [TestCase("c9 00 00 00 01 05 00")]
    public void Decode_Ext_RefusedWithTheReferenceDetail(string ext)
    {
        Assert.That(WireCodec.DecodeError("81 a1 \"b\" " + ext), Is.EqualTo("Invalid msgpack: invalid type: newtype struct, expected any valid JSON value"));
    }

    [Test]
    public void Decode_ReservedMarker_Refused()
    {
        Assert.That(WireCodec.DecodeError("c1"), Is.EqualTo("Invalid msgpack: wrong msgpack marker Reserved"));
    }

    [Test]
    public void Decode_Empty_Refused()
    {
        Assert.That(WireCodec.DecodeError(string.Empty), Is.EqualTo("Invalid msgpack: IO error while reading marker: failed to fill whole buffer"));
    }

    [TestCase("a5 68 69")]
    [TestCase("cd 01")]
    [TestCase("cb 40 4e")]
    [TestCase("d9")]
    [TestCase("92 01")]
    [TestCase("""82 a1 "a" 01""")]
    [TestCase("de 00")]
    [TestCase("df ff ff ff ff")]
    [TestCase("dd ff ff ff ff 01")]
    [TestCase("db 80 00 00 00")]
    [TestCase("db ff ff ff ff 61")]
    [TestCase("df 80 00 00 00 01 01")]
    [TestCase("dd 80 00 00 00 01")]
    [TestCase("81 a1 61 91")]
    public void Decode_Truncated_RefusedAsInvalidMsgpack(string truncated)
    {
        Assert.That(WireCodec.DecodeError(truncated), Does.StartWith("Invalid msgpack: IO error while reading "));
    }

    [Test]
    public void Decode_StringCutShortAcrossSegments_EndOfData()
    {
        // Found by the stream property: a str8 header claiming more bytes than the segmented payload holds.
        byte[] bytes = [0x81, 0xd9, 0x30, .. Encoding.ASCII.GetBytes("abcdefghij")];

        FrameException fault = Assert.Throws<FrameException>(() => WireValue.Decode(WireBytes.Segmented(bytes, 3)))!;

        Assert.That(fault.Message, Is.EqualTo("Invalid msgpack: IO error while reading data: failed to fill whole buffer"));
    }

    [TestCase("01", "integer `1`")]
    [TestCase("ff", "integer `-1`")]
    [TestCase("cf ff ff ff ff ff ff ff ff", "integer `18446744073709551615`")]
    [TestCase("cb 3f f8 00 00 00 00 00 00", "floating point `1.5`")]
    [TestCase("cb 40 00 00 00 00 00 00 00", "floating point `2.0`")]
    [TestCase("c3", "boolean `true`")]
    [TestCase("c0", "unit value")]
    [TestCase("90", "sequence")]
    [TestCase("80", "map")]
    [TestCase("c4 01 61", "byte array")]
    [TestCase("d4 01 00", "newtype struct")]
    public void Decode_NonStringKey_RefusedInFirstAndLaterPositions(string key, string unexpected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.DecodeError("81 " + key + " 01"), Is.EqualTo($"Invalid msgpack: invalid type: {unexpected}, expected a string key"));
            Assert.That(WireCodec.DecodeError("""82 a1 "a" 01 """ + key + " 01"), Is.EqualTo($"Invalid msgpack: invalid type: {unexpected}, expected a string"));
        });
    }

    [TestCase("a1 ff", "invalid utf-8 sequence of 1 bytes from index 0")]
    [TestCase("a3 61 c3 28", "invalid utf-8 sequence of 1 bytes from index 1")]
    [TestCase("a2 61 e2", "incomplete utf-8 byte sequence from index 1")]
    [TestCase("a3 ed a0 80", "invalid utf-8 sequence of 1 bytes from index 0")]
    [TestCase("a4 f0 9f 98 28", "invalid utf-8 sequence of 3 bytes from index 0")]
    public void Decode_InvalidUtf8_RefusedInValuesAndKeys(string text, string detail)
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.DecodeError(text), Is.EqualTo("Invalid msgpack: string found to be invalid UTF-8: " + detail));
            Assert.That(WireCodec.DecodeError("81 " + text + " 01"), Is.EqualTo("Invalid msgpack: string found to be invalid UTF-8: " + detail));
        });
    }

    [Test]
    public void Decode_InvalidUtf8AcrossSegments_Refused()
    {
        byte[] bytes = [0xd9, 40, .. Encoding.ASCII.GetBytes(new string('a', 39)), 0xff];

        FrameException fault = Assert.Throws<FrameException>(() => WireValue.Decode(WireBytes.Segmented(bytes, 7)))!;

        Assert.That(fault.Message, Is.EqualTo("Invalid msgpack: string found to be invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 39"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Decode_1023NestedContainers_Accepted(bool maps)
    {
        JsonNode? value = WireCodec.Decode(Nested(1023, maps));

        int depth = 0;
        for (JsonNode? node = value; node is not null; depth++)
        {
            node = maps ? node["k"] : node.AsArray().FirstOrDefault();
        }

        Assert.That(depth, Is.EqualTo(1023));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Decode_1024NestedContainers_DepthLimitExceeded(bool maps)
    {
        FrameException fault = Assert.Throws<FrameException>(() => WireCodec.Decode(Nested(1024, maps)))!;

        Assert.That(fault.Message, Is.EqualTo("Invalid msgpack: depth limit exceeded"));
    }

    [Test]
    public void Decode_DeepNestingFarBeyondTheLimit_DepthLimitExceededWithoutOverflow()
    {
        byte[] bytes = new byte[1_000_000];
        Array.Fill(bytes, (byte)0x91);

        Assert.That(Assert.Throws<FrameException>(() => WireCodec.Decode(bytes))!.Message, Is.EqualTo("Invalid msgpack: depth limit exceeded"));
    }

    [Test]
    public void Decode_ScalarsDoNotCountTowardDepth()
    {
        // 1023 arrays whose innermost holds scalars and strings.
        byte[] bytes = [.. Enumerable.Repeat((byte)0x91, 1022), 0x93, 0x01, 0xa1, 0x61, 0xc0];

        Assert.That(WireCodec.Decode(bytes), Is.Not.Null);
    }

    /// <summary><paramref name="depth"/> nested single-entry maps (<c>{"k": …}</c>) or single-element arrays, innermost empty.</summary>
    internal static byte[] Nested(int depth, bool maps)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < depth - 1; i++)
        {
            bytes.AddRange(maps ? [0x81, 0xa1, (byte)'k'] : [0x91]);
        }

        bytes.Add(maps ? (byte)0x80 : (byte)0x90);
        return [.. bytes];
    }
}
