using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.Ipc;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Ipc;

/// <summary>Round trips of the codec, and that nothing a peer sends makes it throw anything but <see cref="FrameException"/>.</summary>
public sealed class IpcCodecProperties
{
    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 500)]
    public bool WireValue_RoundTrip_SameValueAndCanonicalBytes(WireSample sample)
    {
        JsonNode? original = sample.Build();

        byte[] encoded = WireCodec.Encode(original);
        JsonNode? decoded = WireCodec.Decode(encoded);

        // Decoding then encoding again gives the same bytes: the encoding is canonical (sorted keys, smallest forms).
        return WireSemantics.Same(original, decoded)
            && WireSemantics.KeysSorted(encoded)
            && WireCodec.Encode(decoded).AsSpan().SequenceEqual(encoded);
    }

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 300)]
    public bool Request_RoundTripThroughAFrame_SameFields(RequestSample sample)
    {
        using var writer = new FrameWriter();
        JsonObject body = sample.Body.Build()!.AsObject();
        ReadOnlyMemory<byte> bytes = writer.WriteRequest(new WireRequest(sample.Id, sample.Service, sample.Method, body));

        bool parsed = FrameReader.TryParseFrame(new ReadOnlySequence<byte>(bytes), FrameLayout.DefaultMaxFrameBytes, out Frame frame, out _, out _);
        WireRequest request = WireMessages.ParseRequest(frame);

        return parsed
            && (request.Id, request.Service, request.Method) == (sample.Id, sample.Service, sample.Method)
            && WireSemantics.Same(body, request.Body);
    }

    [Property(MaxTest = 1000)]
    public bool Decode_AnyBytes_ValueOrInvalidMsgpack(byte[] bytes)
    {
        return DecodesOrFailsTyped(bytes) && ParsesOrFailsTyped(bytes);
    }

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 500)]
    public bool Decode_CorruptedEncoding_ValueOrInvalidMsgpack(WireSample sample, int position, byte replacement)
    {
        byte[] bytes = WireCodec.Encode(sample.Build());
        bytes[(int)((uint)position % bytes.Length)] = replacement;

        return DecodesOrFailsTyped(bytes) && ParsesOrFailsTyped(bytes);
    }

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 300)]
    public Property Decode_ProperPrefixOfAnEncoding_AlwaysInvalidMsgpack(WireSample sample, int cut)
    {
        // MessagePack is prefix-free: a value cut short is never a value.
        byte[] bytes = WireCodec.Encode(sample.Build());
        byte[] prefix = bytes[..(int)((uint)cut % bytes.Length)];

        return Prop.When(bytes.Length > 0, () =>
        {
            FrameException fault = Assert.Throws<FrameException>(() => WireCodec.Decode(prefix))!;
            return fault.Fault == FrameFault.InvalidMsgpack && fault.Message.StartsWith("Invalid msgpack: IO error while reading ", StringComparison.Ordinal);
        });
    }

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 300)]
    public async Task<bool> FrameReader_AnyStreamInAnyWrites_SameOutcomesAsTheModel(StreamScenario scenario)
    {
        // Arrange
        byte[] bytes = scenario.Bytes();
        List<string> expected = Model(bytes, StreamScenario.MaxFrameBytes);
        var pipe = new Pipe();
        Task writing = WriteInPiecesAsync(pipe.Writer, bytes, scenario.WriteSizes);
        var reader = new FrameReader(pipe.Reader, StreamScenario.MaxFrameBytes);

        // Act
        var actual = new List<string>();
        try
        {
            while (await reader.ReadAsync(CancellationToken.None) is { } frame)
            {
                actual.Add(Describe(frame.Type, frame.Payload.ToArray()));

                // Whatever the frame holds, request parsing fails only with a fault that keeps the connection open.
                try
                {
                    _ = WireMessages.ParseRequest(frame);
                }
                catch (FrameException fault) when (!fault.ClosesConnection)
                {
                }
            }

            actual.Add("end");
        }
        catch (FrameException fault) when (fault.ClosesConnection)
        {
            actual.Add(fault.Fault.ToString());
        }

        await pipe.Reader.CompleteAsync();
        await writing;

        // Assert
        return actual.SequenceEqual(expected);
    }

    private static bool DecodesOrFailsTyped(byte[] bytes)
    {
        try
        {
            _ = WireCodec.Decode(bytes);
            return true;
        }
        catch (FrameException fault)
        {
            return fault.Fault == FrameFault.InvalidMsgpack && fault.Message.StartsWith("Invalid msgpack: ", StringComparison.Ordinal);
        }
    }

    private static bool ParsesOrFailsTyped(byte[] bytes)
    {
        try
        {
            _ = WireMessages.ParseRequest(FrameType.Request, new ReadOnlySequence<byte>(bytes));
            return true;
        }
        catch (FrameException fault)
        {
            return fault.Fault is FrameFault.InvalidMsgpack or FrameFault.MissingField;
        }
    }

    /// <summary>The read path as spec/ipc.md §1.4 states it, over the whole stream at once.</summary>
    private static List<string> Model(byte[] bytes, int max)
    {
        var outcomes = new List<string>();
        int offset = 0;
        while (true)
        {
            int left = bytes.Length - offset;
            if (left < 4)
            {
                outcomes.Add("end");
                return outcomes;
            }

            uint len = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
            if (len > max)
            {
                outcomes.Add(nameof(FrameFault.TooLarge));
                return outcomes;
            }

            if (len == 0)
            {
                outcomes.Add(nameof(FrameFault.TooShort));
                return outcomes;
            }

            if (left < 4 + len)
            {
                outcomes.Add(nameof(FrameFault.Truncated));
                return outcomes;
            }

            outcomes.Add(Describe((FrameType)bytes[offset + 4], bytes[(offset + 5)..(offset + 4 + (int)len)]));
            offset += 4 + (int)len;
        }
    }

    private static string Describe(FrameType type, byte[] payload) => $"{(byte)type:x2}:{Convert.ToHexString(payload)}";

    private static async Task WriteInPiecesAsync(PipeWriter writer, byte[] bytes, int[] sizes)
    {
        int offset = 0;
        for (int i = 0; offset < bytes.Length; i++)
        {
            int size = Math.Min(sizes.Length == 0 ? bytes.Length : sizes[i % sizes.Length], bytes.Length - offset);
            FlushResult result = await writer.WriteAsync(bytes.AsMemory(offset, size));
            offset += size;
            if (result.IsCompleted)
            {
                break;
            }
        }

        await writer.CompleteAsync();
    }
}
