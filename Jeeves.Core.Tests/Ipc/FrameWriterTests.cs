using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Jeeves.Ipc;

namespace Jeeves.Tests.Ipc;

/// <summary>The golden frames of spec/ipc.md §1.8 and §2, byte for byte.</summary>
public sealed class FrameWriterTests
{
    [Test]
    public void WriteQueueFull_Capacity2048IdQ3_GoldenBytesOfSection1_8()
    {
        // Arrange
        byte[] golden = WireBytes.Parse("""
            00 00 00 84 ff 83 a5 "error" 84 a4 "code" b2 "RESOURCE_EXHAUSTED"
            b5 "kernel_queue_capacity" cd 08 00 a7 "message" d9 2b "Kernel request queue is full; retry shortly"
            a9 "retryable" c3 a2 "id" a2 "q3" a2 "ok" c2
            """);
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteQueueFull("q3", 2048);

        // Assert
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
        Assert.That(frame.Length, Is.EqualTo(4 + 0x84));
    }

    [Test]
    public void WriteResponse_QuotaDefaultsBuiltUnsorted_GoldenBytesOfSection2_2()
    {
        // Arrange: the 301-byte GetQuotaDefaults response (§9.1 case 1). The body is built out of order on purpose.
        byte[] golden = WireBytes.Parse("""
            00 00 01 29 02 83 a4 "body" 8e
             ae "max_agent_hops" 0a
             b2 "max_context_tokens" ce 00 02 49 f0
             b9 "max_inference_input_chars" ce 00 07 a1 20
             b6 "max_inference_requests" 32
             b0 "max_input_tokens" ce 00 01 86 a0
             ae "max_iterations" 14
             ad "max_llm_calls" 64
             b1 "max_output_tokens" cd c3 50
             ae "max_tool_calls" 32
             b0 "rate_limit_burst" 0a
             ae "rate_limit_rph" cd 03 e8
             ae "rate_limit_rpm" 3c
             b4 "soft_timeout_seconds" cc f0
             af "timeout_seconds" cd 01 2c
             a2 "id" a2 "r1" a2 "ok" c3
            """);
        var body = new JsonObject
        {
            ["timeout_seconds"] = 300,
            ["soft_timeout_seconds"] = 240L,
            ["max_llm_calls"] = 100,
            ["max_tool_calls"] = 50,
            ["max_agent_hops"] = 10,
            ["max_iterations"] = 20,
            ["max_input_tokens"] = 100_000,
            ["max_output_tokens"] = 50_000,
            ["max_context_tokens"] = 150_000,
            ["max_inference_requests"] = 50,
            ["max_inference_input_chars"] = 500_000,
            ["rate_limit_rpm"] = 60,
            ["rate_limit_rph"] = 1000,
            ["rate_limit_burst"] = 10,
        };
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteResponse("r1", body);

        // Assert
        Assert.That(frame.Length, Is.EqualTo(301));
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
    }

    [Test]
    public void WriteRequest_GetProcess_GoldenBytesOfThePythonClient()
    {
        // Arrange
        byte[] golden = WireBytes.Parse("""
            00 00 00 36 01 84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 a3 "pid" a2 "p1"
            """);
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteRequest(new WireRequest("r1", "kernel", "GetProcess", new JsonObject { ["pid"] = "p1" }));

        // Assert
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
    }

    [Test]
    public void WriteError_NotFound_GoldenBytesOfSection2_3()
    {
        // Arrange
        byte[] golden = WireBytes.Parse("""
            00 00 00 4a ff 83 a5 "error" 82 a4 "code" a9 "NOT_FOUND"
             a7 "message" bf "not found: Process p1 not found" a2 "id" a2 "r1" a2 "ok" c2
            """);
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteError("r1", KernelErrorCode.NotFound, "not found: Process p1 not found");

        // Assert
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
    }

    [Test]
    public void WriteError_MissingIdFault_GoldenBytesOfSection2_3()
    {
        // Arrange: a request map without an id, through the parser and back out as its error frame.
        byte[] golden = WireBytes.Parse("""
            00 00 00 53 ff 83 a5 "error" 82 a4 "code" b0 "INVALID_ARGUMENT" a7 "message" d9 22 "Missing required request field: id" a2 "id" a0 a2 "ok" c2
            """);
        byte[] payload = WireBytes.Parse("""83 a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""");
        FrameException fault = Assert.Throws<FrameException>(() => WireMessages.ParseRequest(FrameType.Request, WireBytes.Sequence(payload)))!;
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteError(fault);

        // Assert
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
    }

    [Test]
    public void WriteStreamChunk_Event_GoldenBytesOfSection2_4()
    {
        // Arrange
        byte[] golden = WireBytes.Parse("""
            00 00 00 48 03 82 a4 "body" 84 aa "event_type" a1 "t" a7 "payload" a2 "{}" a6 "source" a1 "s" ac "timestamp_ms" cf 00 00 01 8b cf e5 68 00 a2 "id" a5 "sub-1"
            """);
        var body = new JsonObject
        {
            ["timestamp_ms"] = 0x0000018B_CFE56800L,
            ["source"] = "s",
            ["payload"] = "{}",
            ["event_type"] = "t",
        };
        using var writer = new FrameWriter();

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteStreamChunk("sub-1", body);

        // Assert
        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(golden)));
    }

    [Test]
    public void WriteStreamEnd_IdS1_GoldenBytesOfSection2_4()
    {
        using var writer = new FrameWriter();

        ReadOnlyMemory<byte> frame = writer.WriteStreamEnd("s1");

        Assert.That(WireBytes.Hex(frame), Is.EqualTo(WireBytes.Hex(WireBytes.Parse("""00 00 00 08 04 81 a2 "id" a2 "s1" """))));
    }

    [Test]
    public void WriteError_FaultThatClosesTheConnection_Refused()
    {
        using var writer = new FrameWriter();

        Assert.Throws<ArgumentException>(() => writer.WriteError(new FrameException(FrameFault.TooLarge, "Frame too large")));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(5000)]
    [TestCase(3 * 1024 * 1024)]
    public void WriteRaw_AnySize_LenIsPayloadPlusOneAndBufferGrowsAndShrinks(int size)
    {
        // Arrange: a small initial buffer, so large payloads force growth (§9.1 case 2: len = payload + 1).
        using var writer = new FrameWriter(initialCapacity: 16);
        byte[] payload = new byte[size];
        Array.Fill(payload, (byte)0xAB);

        // Act
        ReadOnlyMemory<byte> frame = writer.WriteRaw(FrameType.Request, payload);

        // Assert
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(frame.Span), Is.EqualTo((uint)size + 1));
        Assert.That(frame.Span[4], Is.EqualTo(0x01));
        Assert.That(frame.Span[5..].SequenceEqual(payload), Is.True);

        // A following small frame is still right after a large one.
        ReadOnlyMemory<byte> next = writer.WriteStreamEnd("s1");
        Assert.That(WireBytes.Hex(next), Is.EqualTo(WireBytes.Hex(WireBytes.Parse("""00 00 00 08 04 81 a2 "id" a2 "s1" """))));
    }

    [Test]
    public void WriteResponse_AfterDispose_Throws()
    {
        var writer = new FrameWriter();
        writer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.WriteStreamEnd("s1"));
    }
}
