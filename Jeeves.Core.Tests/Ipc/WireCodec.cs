using System.Buffers;
using System.Text.Json.Nodes;
using Jeeves.Ipc;
using MessagePack;

namespace Jeeves.Tests.Ipc;

/// <summary>Encodes and decodes single values for the tests.</summary>
internal static class WireCodec
{
    public static byte[] Encode(JsonNode? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        WireValue.Write(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static string EncodeHex(JsonNode? value) => WireBytes.Hex(Encode(value));

    public static JsonNode? Decode(byte[] bytes) => WireValue.Decode(new ReadOnlySequence<byte>(bytes));

    public static JsonNode? Decode(string golden) => Decode(WireBytes.Parse(golden));

    /// <summary>Decodes and returns the exception's message, or fails when the bytes decode.</summary>
    public static string DecodeError(string golden)
    {
        FrameException fault = Assert.Throws<FrameException>(() => Decode(golden))!;
        Assert.That(fault.Fault, Is.EqualTo(FrameFault.InvalidMsgpack));
        Assert.That(fault.ClosesConnection, Is.False);
        Assert.That(fault.RequestId, Is.Empty);
        return fault.Message;
    }
}
