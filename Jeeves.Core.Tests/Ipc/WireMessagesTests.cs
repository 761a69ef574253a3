using System.Buffers;
using System.Text.Json.Nodes;
using Jeeves.Ipc;

namespace Jeeves.Tests.Ipc;

/// <summary>Request validation, R5–R7 of spec/ipc.md §1.4 and §2.1, with the framing cases of §9.1; and reading replies.</summary>
public sealed class WireMessagesTests
{
    [Test]
    public void ParseRequest_PythonGetProcess_FieldsAndBody()
    {
        // Arrange
        byte[] payload = WireBytes.Parse("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 a3 "pid" a2 "p1" """);

        // Act
        WireRequest request = Parse(payload);

        // Assert
        Assert.That((request.Id, request.Service, request.Method), Is.EqualTo(("r1", "kernel", "GetProcess")));
        Assert.That(request.Body.ToJsonString(), Is.EqualTo("""{"pid":"p1"}"""));
        Assert.That(request.Body.Parent, Is.Null);
    }

    [TestCase(0x02, "Unexpected message type: 0x02")]
    [TestCase(0x7F, "Unexpected message type: 0x7F")]
    [TestCase(0xFF, "Unexpected message type: 0xFF")]
    [TestCase(0x03, "Unexpected message type: 0x03")]
    [TestCase(0x05, "Unexpected message type: 0x05")]
    [TestCase(0x00, "Unexpected message type: 0x00")]
    public void ParseRequest_WrongType_UnexpectedMessageTypeUpperCaseHexIdEmpty(byte type, string message)
    {
        // §9.1 case 9: the payload, even a valid request map, is not looked at.
        byte[] payload = WireBytes.Parse("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""");

        FrameException fault = Assert.Throws<FrameException>(() => WireMessages.ParseRequest((FrameType)type, new ReadOnlySequence<byte>(payload)))!;

        AssertErrorFrameDue(fault, FrameFault.UnexpectedType, message, string.Empty);
    }

    [TestCase("c1")]
    [TestCase("")]
    [TestCase("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 a3 "pid" c4 02 70 31""")]
    [TestCase("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 a2 "at" d6 ff 00 00 00 01""")]
    [TestCase("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 01 02""")]
    [TestCase("""85 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 80 a1 "x" c4 00""")]
    [TestCase("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" aa "GetProcess" a4 "body" 81 a3 "pid" a1 ff""")]
    [TestCase("""92 c4 00 01""")]
    public void ParseRequest_PayloadNotAcceptable_InvalidMsgpackIdEmpty(string payload)
    {
        // §9.1 cases 8 and 14: reserved marker, empty payload, bin or ext anywhere, bad keys, bad UTF-8; the id is
        // never echoed, even when it was read before the fault.
        FrameException fault = Assert.Throws<FrameException>(() => Parse(WireBytes.Parse(payload)))!;

        Assert.That(fault.Message, Does.StartWith("Invalid msgpack: "));
        AssertErrorFrameDue(fault, FrameFault.InvalidMsgpack, fault.Message, string.Empty);
    }

    [Test]
    public void ParseRequest_1024NestedWithTheRequestMapCountingAsFirst_DepthLimitExceeded()
    {
        // The request map is level 1, so a body nesting 1022 levels is accepted and 1023 is not.
        byte[] Request(int bodyDepth) =>
            [.. WireBytes.Parse("""84 a2 "id" a2 "r1" a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" """), .. WireValueDecodingTests.Nested(bodyDepth, maps: true)];

        Assert.That(Parse(Request(1022)).Id, Is.EqualTo("r1"));
        Assert.That(Assert.Throws<FrameException>(() => Parse(Request(1023)))!.Message, Is.EqualTo("Invalid msgpack: depth limit exceeded"));
    }

    [TestCase("""83 a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""", "id", "")]
    [TestCase("""84 a2 "id" a0 a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""", "id", "")]
    [TestCase("""84 a2 "id" 07 a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""", "id", "")]
    [TestCase("""84 a2 "id" c0 a7 "service" a6 "kernel" a6 "method" a3 "Foo" a4 "body" 80""", "id", "")]
    [TestCase("""83 a2 "id" a1 "a" a6 "method" a3 "Foo" a4 "body" 80""", "service", "a")]
    [TestCase("""84 a2 "id" a1 "a" a7 "service" a0 a6 "method" a3 "Foo" a4 "body" 80""", "service", "a")]
    [TestCase("""84 a2 "id" a1 "a" a7 "service" 91 01 a6 "method" a3 "Foo" a4 "body" 80""", "service", "a")]
    [TestCase("""83 a2 "id" a1 "b" a7 "service" a6 "kernel" a4 "body" 80""", "method", "b")]
    [TestCase("""84 a2 "id" a1 "b" a7 "service" a6 "kernel" a6 "method" c3 a4 "body" 80""", "method", "b")]
    [TestCase("""83 a2 "id" a1 "c" a7 "service" a6 "kernel" a6 "method" a3 "Foo" """, "body", "c")]
    [TestCase("""92 a2 "r1" a6 "kernel" """, "id", "")]
    [TestCase("""a2 "r1" """, "id", "")]
    [TestCase("c0", "id", "")]
    [TestCase("80", "id", "")]
    [TestCase("""81 a4 "body" 80""", "id", "")]
    [TestCase("""81 a2 "id" a1 "x" """, "service", "x")]
    public void ParseRequest_FieldMissingOrInvalid_FirstInOrderIdSometimesEchoed(string payload, string field, string echoedId)
    {
        // §9.1 cases 5, 6 and 7: id, service, method, body, in that order; the id is echoed once it is valid.
        FrameException fault = Assert.Throws<FrameException>(() => Parse(WireBytes.Parse(payload)))!;

        AssertErrorFrameDue(fault, FrameFault.MissingField, "Missing required request field: " + field, echoedId);
    }

    [TestCase("c0")]
    [TestCase("90")]
    [TestCase("""a1 "x" """)]
    [TestCase("07")]
    [TestCase("""92 01 02""")]
    public void ParseRequest_BodyNotAMap_EmptyObject(string body)
    {
        // §9.1 case 6 (id "d"): a nil body is accepted; any non-map body behaves as if every field were absent.
        WireRequest request = Parse([.. WireBytes.Parse("""84 a2 "id" a1 "d" a7 "service" a6 "kernel" a6 "method" af "GetSystemStatus" a4 "body" """), .. WireBytes.Parse(body)]);

        Assert.That(request.Id, Is.EqualTo("d"));
        Assert.That(request.Body, Is.Empty);
    }

    [Test]
    public void ParseRequest_ExtraKeysAndAnyKeyOrder_Ignored()
    {
        // §9.1 case 15: protocol_version is ignored; keys may come in any order.
        WireRequest request = Parse(WireBytes.Parse("""85 a4 "body" 81 a1 "k" 01 b0 "protocol_version" 02 a6 "method" a3 "Foo" a7 "service" a3 "svc" a2 "id" a1 "x" """));

        Assert.That((request.Id, request.Service, request.Method, request.Body.ToJsonString()), Is.EqualTo(("x", "svc", "Foo", """{"k":1}""")));
    }

    [Test]
    public void ParseRequest_DuplicateFields_LastWins()
    {
        WireRequest request = Parse(WireBytes.Parse("""86 a2 "id" 07 a2 "id" a1 "z" a7 "service" a1 "s" a6 "method" a1 "m" a4 "body" 81 a1 "a" 01 a4 "body" 81 a1 "b" 02"""));
        FrameException fault = Assert.Throws<FrameException>(() => Parse(WireBytes.Parse("""85 a2 "id" a1 "z" a2 "id" 07 a7 "service" a1 "s" a6 "method" a1 "m" a4 "body" 80""")))!;

        Assert.That((request.Id, request.Body.ToJsonString()), Is.EqualTo(("z", """{"b":2}""")));
        Assert.That(fault.Message, Is.EqualTo("Missing required request field: id"));
    }

    [Test]
    public void ParseRequest_TrailingBytesAfterTheMap_Ignored()
    {
        // §9.1 case 10 (c): a request padded with trailing bytes is served.
        byte[] payload = [.. WireBytes.Parse("""84 a2 "id" a1 "x" a7 "service" a1 "s" a6 "method" a1 "m" a4 "body" 80"""), .. new byte[1000]];

        Assert.That(Parse(payload).Id, Is.EqualTo("x"));
    }

    [Test]
    public void ParseReply_EveryServerFrame_FieldsRead()
    {
        // Arrange
        using var writer = new FrameWriter();
        var body = new JsonObject { ["n"] = 1 };

        // Act
        WireReply response = ParseReply(writer.WriteResponse("r1", body));
        WireReply error = ParseReply(writer.WriteError("r2", KernelErrorCode.NotFound, "not found: x"));
        WireReply queueFull = ParseReply(writer.WriteQueueFull("r3", 7));
        WireReply chunk = ParseReply(writer.WriteStreamChunk("s1", new JsonObject { ["event_type"] = "t" }));
        WireReply end = ParseReply(writer.WriteStreamEnd("s1"));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That((response.Type, response.Id, response.Ok, response.IsFailure, response.Body!.ToJsonString()), Is.EqualTo((FrameType.Response, "r1", true, false, """{"n":1}""")));
            Assert.That((error.Type, error.Id, error.Ok, error.IsFailure, error.ErrorCode, error.ErrorMessage), Is.EqualTo((FrameType.Error, "r2", false, true, "NOT_FOUND", "not found: x")));
            Assert.That(queueFull.Error!.ToJsonString(), Is.EqualTo("""{"code":"RESOURCE_EXHAUSTED","kernel_queue_capacity":7,"message":"Kernel request queue is full; retry shortly","retryable":true}"""));
            Assert.That((chunk.Type, chunk.Id, chunk.Body!["event_type"]!.GetValue<string>()), Is.EqualTo((FrameType.StreamChunk, "s1", "t")));
            Assert.That((end.Type, end.Id, end.Body), Is.EqualTo((FrameType.StreamEnd, "s1", (JsonNode?)null)));
        });
    }

    [Test]
    public void ParseReply_RequestType_Refused()
    {
        Frame frame = new(FrameType.Request, WireBytes.Sequence(0x80));

        Assert.That(Assert.Throws<FrameException>(() => WireMessages.ParseReply(frame))!.Fault, Is.EqualTo(FrameFault.UnexpectedType));
    }

    private static WireRequest Parse(byte[] payload) => WireMessages.ParseRequest(FrameType.Request, new ReadOnlySequence<byte>(payload));

    private static WireReply ParseReply(ReadOnlyMemory<byte> frameBytes)
    {
        Assert.That(FrameReader.TryParseFrame(new ReadOnlySequence<byte>(frameBytes), FrameLayout.DefaultMaxFrameBytes, out Frame frame, out _, out _), Is.True);
        return WireMessages.ParseReply(frame);
    }

    private static void AssertErrorFrameDue(FrameException fault, FrameFault kind, string message, string id)
    {
        Assert.Multiple(() =>
        {
            Assert.That(fault.Fault, Is.EqualTo(kind));
            Assert.That(fault.ClosesConnection, Is.False);
            Assert.That(fault.Message, Is.EqualTo(message));
            Assert.That(fault.RequestId, Is.EqualTo(id));
        });
    }
}
