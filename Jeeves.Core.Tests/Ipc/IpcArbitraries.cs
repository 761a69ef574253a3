using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace Jeeves.Tests.Ipc;

/// <summary>
/// A JSON value of a shape the wire supports, kept as a recipe: every <see cref="Build"/> returns a fresh tree, since a
/// <see cref="JsonNode"/> can have only one parent.
/// </summary>
public sealed class WireSample(Func<JsonNode?> build)
{
    public JsonNode? Build() => build();

    public override string ToString() => Build()?.ToJsonString() ?? "null";
}

/// <summary>A request as a client would send it.</summary>
public sealed record RequestSample(string Id, string Service, string Method, WireSample Body);

/// <summary>One piece of an inbound byte stream: a well-formed frame, or bytes that may not be one.</summary>
public sealed record StreamPiece(byte Type, byte[] Payload, bool Raw)
{
    public override string ToString() => Raw ? $"raw[{Convert.ToHexString(Payload)}]" : $"frame(0x{Type:X2}, {Payload.Length} B)";
}

/// <summary>An inbound byte stream cut into the writes that deliver it.</summary>
public sealed record StreamScenario(StreamPiece[] Pieces, int[] WriteSizes)
{
    public const int MaxFrameBytes = 64;

    public byte[] Bytes() => [.. Pieces.SelectMany(p => p.Raw ? p.Payload : FrameReaderTests.Frame(p.Type, p.Payload))];

    public override string ToString() => $"{string.Join(", ", Pieces.Select(p => p.ToString()))} in writes of [{string.Join(",", WriteSizes)}]";
}

/// <summary>FsCheck generators for the codec properties.</summary>
public static class IpcArbitraries
{
    // Pieces of strings: ASCII, 2-, 3- and 4-byte UTF-8 (the last a surrogate pair in UTF-16), and characters whose
    // UTF-16 and UTF-8 orders differ.
    private static readonly string[] s_pieces = ["a", "b", "z", "A", "_", "0", " ", "é", "€", "\uFF21", "\uE000", "😀", "𝄞", "\"", "\\", "\0"];

    public static Arbitrary<WireSample> WireSample() => Arb.From(AnyValue(3));

    public static Arbitrary<RequestSample> RequestSample() => Arb.From(
        from id in NonEmptyString
        from service in NonEmptyString
        from method in NonEmptyString
        from body in ObjectOf(AnyValue(2))
        select new RequestSample(id, service, method, body));

    public static Arbitrary<StreamScenario> StreamScenario()
    {
        Gen<byte> type = Gen.Frequency((4, Gen.Constant((byte)0x01)), (1, Gen.Elements<byte>(0x02, 0x03, 0x04, 0xFF, 0x00, 0x7F)));
        Gen<byte[]> requestPayload = RequestSample().Generator.Select(Encode);
        Gen<byte[]> anyPayload = from n in Gen.Choose(0, StreamScenarioLimits.LongestPayload) from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n) select bytes;
        Gen<StreamPiece> frame =
            from t in type
            from payload in Gen.Frequency((2, requestPayload), (1, anyPayload))
            select new StreamPiece(t, payload, Raw: false);
        Gen<StreamPiece> raw =
            from n in Gen.Choose(1, 8)
            from bytes in Gen.ArrayOf(Gen.Frequency((3, ArbMap.Default.GeneratorFor<byte>()), (2, Gen.Constant((byte)0))), n)
            select new StreamPiece(0, bytes, Raw: true);
        return Arb.From(
            from pieces in Gen.ArrayOf(Gen.Frequency((5, frame), (1, raw)))
            from writes in Gen.ArrayOf(Gen.Choose(1, 40))
            select new StreamScenario(pieces, writes));
    }

    internal static Gen<string> StringOf(int maxPieces) =>
        from n in Gen.Choose(0, maxPieces)
        from pieces in Gen.ArrayOf(Gen.Elements(s_pieces), n)
        select string.Concat(pieces);

    private static Gen<string> NonEmptyString =>
        from first in Gen.Elements(s_pieces)
        from rest in StringOf(6)
        select first + rest;

    private static Gen<WireSample> AnyValue(int depth)
    {
        Gen<WireSample> leaf = Gen.Frequency(
            (1, Gen.Constant(new WireSample(() => null))),
            (1, ArbMap.Default.GeneratorFor<bool>().Select(b => new WireSample(() => JsonValue.Create(b)))),
            (2, ArbMap.Default.GeneratorFor<int>().Select(i => new WireSample(() => JsonValue.Create(i)))),
            (2, Integers.Select(l => new WireSample(() => JsonValue.Create(l)))),
            (1, ArbMap.Default.GeneratorFor<ulong>().Select(u => u | 0x8000_0000_0000_0000UL).Select(u => new WireSample(() => JsonValue.Create(u)))),
            (2, ArbMap.Default.GeneratorFor<double>().Where(double.IsFinite).Select(d => new WireSample(() => JsonValue.Create(d)))),
            (1, ArbMap.Default.GeneratorFor<float>().Where(float.IsFinite).Select(f => new WireSample(() => JsonValue.Create(f)))),
            (3, StringOf(12).Select(s => new WireSample(() => JsonValue.Create(s)))),
            (1, from n in Gen.Choose(20, 300) select new WireSample(() => JsonValue.Create(new string('x', n)))));
        if (depth <= 0)
        {
            return leaf;
        }

        Gen<WireSample> inner = AnyValue(depth - 1);
        return Gen.Frequency((5, leaf), (1, ArrayOf(inner)), (2, ObjectOf(inner)));
    }

    /// <summary>Integers around every encoding boundary of spec/ipc.md §3.3, and anything else.</summary>
    private static Gen<long> Integers => Gen.Frequency(
        (1, Gen.Elements(0L, 127L, 128L, 255L, 256L, 65_535L, 65_536L, 4_294_967_295L, 4_294_967_296L, long.MaxValue,
            -1L, -32L, -33L, -128L, -129L, -32_768L, -32_769L, -2_147_483_648L, -2_147_483_649L, long.MinValue)),
        (2, ArbMap.Default.GeneratorFor<long>()));

    private static Gen<WireSample> ArrayOf(Gen<WireSample> inner) =>
        from n in Gen.Frequency((8, Gen.Choose(0, 5)), (1, Gen.Choose(15, 17)))
        from items in Gen.ArrayOf(inner, n)
        select new WireSample(() => new JsonArray([.. items.Select(i => i.Build())]));

    private static Gen<WireSample> ObjectOf(Gen<WireSample> inner) =>
        from n in Gen.Frequency((8, Gen.Choose(0, 5)), (1, Gen.Choose(15, 17)))
        from keys in Gen.ArrayOf(StringOf(4), n)
        from values in Gen.ArrayOf(inner, n)
        select new WireSample(() =>
        {
            var map = new JsonObject();
            for (int i = 0; i < keys.Length; i++)
            {
                map[keys[i]] = values[i].Build();
            }

            return map;
        });

    private static byte[] Encode(RequestSample sample)
    {
        using var writer = new Jeeves.Ipc.FrameWriter();
        return writer.WriteRequest(new Jeeves.Ipc.WireRequest(sample.Id, sample.Service, sample.Method, sample.Body.Build()!.AsObject()))[5..].ToArray();
    }
}

/// <summary>Sizes of the generated streams: payloads reach past <see cref="StreamScenario.MaxFrameBytes"/> so some frames are too large.</summary>
internal static class StreamScenarioLimits
{
    public const int LongestPayload = 80;
}
