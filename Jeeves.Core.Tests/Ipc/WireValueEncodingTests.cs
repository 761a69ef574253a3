using System.Text;
using System.Text.Json.Nodes;

namespace Jeeves.Tests.Ipc;

/// <summary>What the server emits, spec/ipc.md §3.3, rule by rule.</summary>
public sealed class WireValueEncodingTests
{
    // Rule 3: non-negative integers take the smallest unsigned form, even from a signed source.
    [TestCase(0L, "00")]
    [TestCase(127L, "7f")]
    [TestCase(128L, "cc80")]
    [TestCase(255L, "ccff")]
    [TestCase(256L, "cd0100")]
    [TestCase(65_535L, "cdffff")]
    [TestCase(65_536L, "ce00010000")]
    [TestCase(4_294_967_295L, "ceffffffff")]
    [TestCase(4_294_967_296L, "cf0000000100000000")]
    [TestCase(long.MaxValue, "cf7fffffffffffffff")]
    // Rule 4: negative integers take the smallest signed form.
    [TestCase(-1L, "ff")]
    [TestCase(-32L, "e0")]
    [TestCase(-33L, "d0df")]
    [TestCase(-128L, "d080")]
    [TestCase(-129L, "d1ff7f")]
    [TestCase(-32_768L, "d18000")]
    [TestCase(-32_769L, "d2ffff7fff")]
    [TestCase(-2_147_483_648L, "d280000000")]
    [TestCase(-2_147_483_649L, "d3ffffffff7fffffff")]
    [TestCase(long.MinValue, "d38000000000000000")]
    public void Write_Int64_SmallestFormBySign(long value, string expected)
    {
        Assert.That(WireCodec.EncodeHex(JsonValue.Create(value)), Is.EqualTo(expected));
    }

    [Test]
    public void Write_OtherIntegerTypes_SameSmallestForms()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(2048)), Is.EqualTo("cd0800"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(-5)), Is.EqualTo("fb"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(ulong.MaxValue)), Is.EqualTo("cfffffffffffffffff"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(200u)), Is.EqualTo("ccc8"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create((short)-200)), Is.EqualTo("d1ff38"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create((ushort)300)), Is.EqualTo("cd012c"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create((byte)200)), Is.EqualTo("ccc8"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create((sbyte)-100)), Is.EqualTo("d09c"));
        });
    }

    [Test]
    public void Write_Floats_AlwaysFloat64EvenWhenWhole()
    {
        Assert.Multiple(() =>
        {
            // Rule 5: retry_after_seconds 60.0 is cb 40 4e 00 …, never the integer 60.
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(60.0)), Is.EqualTo("cb404e000000000000"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(0.5f)), Is.EqualTo("cb3fe0000000000000"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(1.5m)), Is.EqualTo("cb3ff8000000000000"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(-0.0)), Is.EqualTo("cb8000000000000000"));
        });
    }

    [Test]
    public void Write_NaNAndInfinity_Nil()
    {
        // serde_json cannot hold them; upstream would have null.
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(double.NaN)), Is.EqualTo("c0"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(double.PositiveInfinity)), Is.EqualTo("c0"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(float.NegativeInfinity)), Is.EqualTo("c0"));
        });
    }

    [Test]
    public void Write_NullTrueFalse_Markers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.EncodeHex(null), Is.EqualTo("c0"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(true)), Is.EqualTo("c3"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(false)), Is.EqualTo("c2"));
        });
    }

    // Rule 2: fixstr to 31 bytes, str8 from 32 to 255, str16 to 65,535, str32 beyond.
    [TestCase(0, "a0")]
    [TestCase(31, "bf")]
    [TestCase(32, "d920")]
    [TestCase(255, "d9ff")]
    [TestCase(256, "da0100")]
    [TestCase(65_535, "daffff")]
    [TestCase(65_536, "db00010000")]
    public void Write_String_HeaderByUtf8Length(int length, string header)
    {
        string hex = WireCodec.EncodeHex(JsonValue.Create(new string('x', length)));

        Assert.That(hex[..header.Length], Is.EqualTo(header));
        Assert.That(hex, Has.Length.EqualTo(header.Length + (2 * length)));
    }

    [Test]
    public void Write_NonAsciiString_LengthCountsUtf8Bytes()
    {
        // "é" is 2 bytes and "😀" 4: 16 characters of "é" are 32 bytes, so str8.
        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.EncodeHex(JsonValue.Create(new string('é', 16)))[..4], Is.EqualTo("d920"));
            Assert.That(WireCodec.EncodeHex(JsonValue.Create("😀")), Is.EqualTo("a4f09f9880"));
        });
    }

    // Rule 7 (arrays) and rule 1 (map headers).
    [TestCase(0, "90")]
    [TestCase(15, "9f")]
    [TestCase(16, "dc0010")]
    [TestCase(65_535, "dcffff")]
    [TestCase(65_536, "dd00010000")]
    public void Write_Array_HeaderByCount(int count, string header)
    {
        var array = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            array.Add(JsonValue.Create(1));
        }

        Assert.That(WireCodec.EncodeHex(array)[..header.Length], Is.EqualTo(header));
    }

    [TestCase(0, "80")]
    [TestCase(15, "8f")]
    [TestCase(16, "de0010")]
    [TestCase(65_536, "df00010000")]
    public void Write_Map_HeaderByCount(int count, string header)
    {
        var map = new JsonObject();
        for (int i = 0; i < count; i++)
        {
            map[i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)] = 1;
        }

        Assert.That(WireCodec.EncodeHex(map)[..header.Length], Is.EqualTo(header));
    }

    [Test]
    public void Write_Map_KeysSortedByUtf8BytesAtEveryDepth()
    {
        // Arrange: insertion order is not kept; upper case sorts before lower case, shorter prefixes first.
        var map = new JsonObject
        {
            ["b"] = new JsonObject { ["z"] = 1, ["a"] = 2 },
            ["a"] = new JsonArray(new JsonObject { ["y"] = 1, ["x"] = 2 }),
            ["B"] = 3,
            ["ab"] = 4,
        };

        // Act
        JsonNode? decoded = WireCodec.Decode(WireCodec.Encode(map));

        // Assert
        Assert.That(decoded!.ToJsonString(), Is.EqualTo("""{"B":3,"a":[{"x":2,"y":1}],"ab":4,"b":{"a":2,"z":1}}"""));
    }

    [Test]
    public void Write_SupplementaryCharacterKeys_SortedAsUtf8NotUtf16()
    {
        // Arrange: U+FF21 (EF BC A1) is below U+1F600 (F0 9F 98 80) in UTF-8, but above its surrogates in UTF-16.
        var map = new JsonObject { ["😀"] = 1, ["\uFF21"] = 2, ["a"] = 3 };

        // Act
        string hex = WireCodec.EncodeHex(map);

        // Assert
        Assert.That(hex, Is.EqualTo("83" + "a161" + "03" + "a3efbca1" + "02" + "a4f09f9880" + "01"));
    }

    [Test]
    public void Write_ValuesParsedFromJsonText_IntegersByTheirText()
    {
        // Arrange: as serde_json parses them: integer syntax stays an integer, anything else is a float.
        JsonNode parsed = JsonNode.Parse("""{"i":5,"n":-7,"f":1.0,"e":1e2,"u":18446744073709551615,"big":1e400,"s":"x","t":true,"z":null}""")!;

        // Act
        JsonNode? decoded = WireCodec.Decode(WireCodec.Encode(parsed));

        // Assert
        JsonObject map = decoded!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(map["i"]!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(map["n"]!.GetValue<long>(), Is.EqualTo(-7));
            Assert.That(map["f"]!.GetValue<double>(), Is.EqualTo(1.0));
            Assert.That(map["e"]!.GetValue<double>(), Is.EqualTo(100.0));
            Assert.That(map["u"]!.GetValue<ulong>(), Is.EqualTo(ulong.MaxValue));
            Assert.That(map["big"], Is.Null);
            Assert.That(map["s"]!.GetValue<string>(), Is.EqualTo("x"));
            Assert.That(map["t"]!.GetValue<bool>(), Is.True);
            Assert.That(map.ContainsKey("z") && map["z"] is null, Is.True);
        });
    }

    [Test]
    public void Write_OtherClrValues_WrittenAsTheirJsonText()
    {
        var guid = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");

        Assert.Multiple(() =>
        {
            Assert.That(WireCodec.Decode(WireCodec.Encode(JsonValue.Create(guid)))!.GetValue<string>(), Is.EqualTo(guid.ToString()));
            Assert.That(WireCodec.Decode(WireCodec.Encode(JsonValue.Create('c')))!.GetValue<string>(), Is.EqualTo("c"));
        });
    }

    [Test]
    public void Write_StringWithMultiByteCharacters_RoundTrips()
    {
        string text = "héllo wörld — ✓ 😀 " + new string('€', 100);

        Assert.That(WireCodec.Decode(WireCodec.Encode(JsonValue.Create(text)))!.GetValue<string>(), Is.EqualTo(text));
        Assert.That(Encoding.UTF8.GetByteCount(text), Is.GreaterThan(255));
    }
}
