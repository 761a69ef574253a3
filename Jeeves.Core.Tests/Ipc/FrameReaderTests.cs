using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text.Json.Nodes;
using Jeeves.Ipc;

namespace Jeeves.Tests.Ipc;

/// <summary>The read path R1–R4 of spec/ipc.md §1.4, with the framing cases of §9.1.</summary>
public sealed class FrameReaderTests
{
    private static readonly byte[] s_getQuota = Frame(0x01, WireBytes.Parse("""84 a2 "id" a1 "a" a7 "service" a6 "kernel" a6 "method" b0 "GetQuotaDefaults" a4 "body" 80"""));

    [Test]
    public async Task ReadAsync_WholeFrame_TypeAndPayloadSliceOfThePipeBuffer()
    {
        // Arrange
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(s_getQuota);
        var reader = new FrameReader(pipe.Reader);

        // Act
        Frame? frame = await reader.ReadAsync(CancellationToken.None);

        // Assert
        Assert.That(frame, Is.Not.Null);
        Assert.That(frame!.Value.Type, Is.EqualTo(FrameType.Request));
        Assert.That(frame.Value.Length, Is.EqualTo(s_getQuota.Length - 4));
        Assert.That(frame.Value.Payload.ToArray(), Is.EqualTo(s_getQuota[5..]));
        Assert.That(WireMessages.ParseRequest(frame.Value).Method, Is.EqualTo("GetQuotaDefaults"));
    }

    [Test]
    public async Task ReadAsync_PipelinedFrames_EachInOrderThenCleanEnd()
    {
        // §9.1 case 13: three requests back to back in one write.
        var pipe = new Pipe();
        byte[] b = Frame(0x01, WireBytes.Parse("""84 a2 "id" a1 "b" a7 "service" a1 "k" a6 "method" a1 "m" a4 "body" 80"""));
        byte[] c = Frame(0x7f, [0xc0]);
        await pipe.Writer.WriteAsync(s_getQuota.Concat(b).Concat(c).ToArray());
        await pipe.Writer.CompleteAsync();
        var reader = new FrameReader(pipe.Reader);

        var ids = new List<string>();
        Frame? frame;
        while ((frame = await reader.ReadAsync(CancellationToken.None)) is { } f)
        {
            ids.Add(f.Type == FrameType.Request ? WireMessages.ParseRequest(f).Id : $"type {(byte)f.Type:x2}");
        }

        Assert.That(ids, Is.EqualTo(new[] { "a", "b", "type 7f" }));
    }

    [Test]
    public async Task ReadAsync_FrameInThreePieces_Assembled()
    {
        // §9.1 case 11 (a): 2 prefix bytes, 3 bytes, then the rest, each write after the reader is waiting.
        var pipe = new Pipe();
        var reader = new FrameReader(pipe.Reader);
        ValueTask<Frame?> pending = reader.ReadAsync(CancellationToken.None);

        await pipe.Writer.WriteAsync(s_getQuota.AsMemory(0, 2));
        Assert.That(pending.IsCompleted, Is.False);
        await pipe.Writer.WriteAsync(s_getQuota.AsMemory(2, 3));
        Assert.That(pending.IsCompleted, Is.False);
        await pipe.Writer.WriteAsync(s_getQuota.AsMemory(5));
        Frame? frame = await pending;

        Assert.That(WireMessages.ParseRequest(frame!.Value).Id, Is.EqualTo("a"));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task ReadAsync_EndBeforeOrInsideThePrefix_NullAsANormalClose(int prefixBytes)
    {
        // R1: EOF after 0–3 prefix bytes is a normal close.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 9 }.AsMemory(0, prefixBytes));
        await pipe.Writer.CompleteAsync();

        Frame? frame = await new FrameReader(pipe.Reader).ReadAsync(CancellationToken.None);

        Assert.That(frame, Is.Null);
    }

    [Test]
    public async Task ReadAsync_LenAboveMax_TooLargeAtOnceWithoutWaitingForTheBody()
    {
        // §9.1 case 10 (b): 5,242,881 declared, a few bytes sent, the connection left open.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0x00, 0x50, 0x00, 0x01, 0x01, 0x80 });

        FrameException fault = await ThrowsFrameExceptionAsync(new FrameReader(pipe.Reader));

        AssertCloses(fault, FrameFault.TooLarge);
        Assert.That(fault.Message, Does.StartWith("Frame too large: 5242881 bytes"));
    }

    [Test]
    public async Task ReadAsync_FaultAlreadyBuffered_ReturnedAsAFaultedTaskNotThrown()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        var reader = new FrameReader(pipe.Reader);

        ValueTask<Frame?> pending = reader.ReadAsync(CancellationToken.None);

        Assert.That(pending.IsFaulted, Is.True);
        Assert.That(async () => await pending, Throws.TypeOf<FrameException>());
    }

    [Test]
    public async Task ReadAsync_LenZero_TooShort()
    {
        // §9.1 case 10 (a).
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0 });

        FrameException fault = await ThrowsFrameExceptionAsync(new FrameReader(pipe.Reader));

        AssertCloses(fault, FrameFault.TooShort);
        Assert.That(fault.Message, Is.EqualTo("Frame too short: missing type byte"));
    }

    [Test]
    public async Task ReadAsync_EndInsideTheBody_Truncated()
    {
        // §9.1 case 11 (b): 100 bytes declared, 5 sent, then a half-close.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 100, 1, 0x80, 0, 0, 0 });
        await pipe.Writer.CompleteAsync();

        FrameException fault = await ThrowsFrameExceptionAsync(new FrameReader(pipe.Reader));

        AssertCloses(fault, FrameFault.Truncated);
    }

    [Test]
    public async Task ReadAsync_LenEqualToTheDefaultMaxFromAStream_AcceptedAndTrailingBytesIgnored()
    {
        // §9.1 case 10 (c): a valid request padded so that len is exactly 5,242,880, read from a stream in 64 KiB reads.
        await using var stream = new MemoryStream(MaxSizeRequest());

        Frame? frame = await new FrameReader(PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 65_536))).ReadAsync(CancellationToken.None);

        Assert.That(frame!.Value.Length, Is.EqualTo(FrameLayout.DefaultMaxFrameBytes));
        Assert.That(WireMessages.ParseRequest(frame.Value).Id, Is.EqualTo("c"));
    }

    [Test]
    public async Task ReadAsync_LenEqualToTheDefaultMaxThroughAPipe_Accepted()
    {
        // The same frame through a pipe that does not pause its writer, written in 64 KiB pieces while the reader waits.
        byte[] bytes = MaxSizeRequest();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var reader = new FrameReader(pipe.Reader);
        ValueTask<Frame?> pending = reader.ReadAsync(CancellationToken.None);
        for (int offset = 0; offset < bytes.Length; offset += 65_536)
        {
            await pipe.Writer.WriteAsync(bytes.AsMemory(offset, Math.Min(65_536, bytes.Length - offset)));
        }

        Frame? frame = await pending;

        Assert.That(WireMessages.ParseRequest(frame!.Value).Id, Is.EqualTo("c"));
    }

    [TestCase(10, 10, true)]
    [TestCase(10, 11, false)]
    [TestCase(1, 1, true)]
    public async Task ReadAsync_ConfiguredMax_LenUpToMaxAccepted(int max, int len, bool accepted)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame(0x01, new byte[len - 1]));
        var reader = new FrameReader(pipe.Reader, max);

        if (accepted)
        {
            Assert.That((await reader.ReadAsync(CancellationToken.None))!.Value.Length, Is.EqualTo(len));
        }
        else
        {
            AssertCloses(await ThrowsFrameExceptionAsync(reader), FrameFault.TooLarge);
        }
    }

    [Test]
    public async Task ReadAsync_TokenCancelledWhileWaiting_OperationCanceled()
    {
        // The host's read timeout cancels the token: here while half a prefix has arrived.
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { 0, 0 });
        using var cts = new CancellationTokenSource();
        ValueTask<Frame?> pending = new FrameReader(pipe.Reader).ReadAsync(cts.Token);

        await cts.CancelAsync();

        Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task ReadAsync_PendingReadCancelled_OperationCanceled()
    {
        var pipe = new Pipe();
        ValueTask<Frame?> pending = new FrameReader(pipe.Reader).ReadAsync(CancellationToken.None);

        pipe.Reader.CancelPendingRead();

        Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task ReadAsync_NextRead_ReleasesThePreviousFrame()
    {
        // Arrange: two frames; reading the second advances past the first, so the pipe can reuse its memory.
        Assert.That(s_getQuota, Has.Length.InRange(51, 59));
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 100, resumeWriterThreshold: 60));
        var reader = new FrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(s_getQuota);
        Frame? first = await reader.ReadAsync(CancellationToken.None);
        byte[] firstPayload = first!.Value.Payload.ToArray();

        // Act: two frames unconsumed pause the writer until the reader releases the first.
        ValueTask<FlushResult> flush = pipe.Writer.WriteAsync(s_getQuota);
        Frame? second = await reader.ReadAsync(CancellationToken.None);
        await flush;

        // Assert
        Assert.That(second!.Value.Payload.ToArray(), Is.EqualTo(firstPayload));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(FrameLayout.MaxConfigurableFrameBytes + 1)]
    public void Constructor_MaxOutOfRange_Throws(int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FrameReader(new Pipe().Reader, max));
    }

    [Test]
    public void TryParseFrame_PrefixSplitAcrossSegments_Parsed()
    {
        // Arrange: one-byte segments, so the prefix spans four of them.
        ReadOnlySequence<byte> buffer = WireBytes.Segmented(s_getQuota, 1);

        // Act
        bool parsed = FrameReader.TryParseFrame(buffer, FrameLayout.DefaultMaxFrameBytes, out Frame frame, out SequencePosition end, out long needed);

        // Assert
        Assert.That(parsed, Is.True);
        Assert.That(needed, Is.EqualTo(s_getQuota.Length));
        Assert.That(buffer.Slice(end).Length, Is.Zero);
        Assert.That(WireMessages.ParseRequest(frame).Body, Is.Empty);
    }

    [Test]
    public void TryParseFrame_Incomplete_NeededBytes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FrameReader.TryParseFrame(WireBytes.Sequence(0, 0), 100, out _, out _, out long forPrefix), Is.False);
            Assert.That(forPrefix, Is.EqualTo(4));
            Assert.That(FrameReader.TryParseFrame(WireBytes.Sequence(0, 0, 0, 10, 1), 100, out _, out _, out long forBody), Is.False);
            Assert.That(forBody, Is.EqualTo(14));
        });
    }

    [Test]
    public void FrameWriterOutput_ReadBack_SameFrame()
    {
        using var writer = new FrameWriter();
        ReadOnlyMemory<byte> bytes = writer.WriteResponse("r9", new JsonObject { ["x"] = "y" });

        Assert.That(FrameReader.TryParseFrame(new ReadOnlySequence<byte>(bytes), 1000, out Frame frame, out _, out _), Is.True);
        Assert.That(frame.Type, Is.EqualTo(FrameType.Response));
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes.Span), Is.EqualTo(frame.Length));
    }

    private static byte[] MaxSizeRequest()
    {
        byte[] request = WireBytes.Parse("""84 a2 "id" a1 "c" a7 "service" a6 "kernel" a6 "method" af "GetSystemStatus" a4 "body" 80""");
        byte[] payload = new byte[FrameLayout.DefaultMaxFrameBytes - 1];
        request.CopyTo(payload, 0);
        return Frame(0x01, payload);
    }

    internal static byte[] Frame(byte type, byte[] payload)
    {
        byte[] frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(payload.Length + 1));
        frame[4] = type;
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static async Task<FrameException> ThrowsFrameExceptionAsync(FrameReader reader)
    {
        try
        {
            Frame? frame = await reader.ReadAsync(CancellationToken.None);
            Assert.Fail($"Expected a FrameException, got {(frame is null ? "the end" : "a frame")}");
            throw new InvalidOperationException("unreachable");
        }
        catch (FrameException fault)
        {
            return fault;
        }
    }

    private static void AssertCloses(FrameException fault, FrameFault kind)
    {
        Assert.That(fault.Fault, Is.EqualTo(kind));
        Assert.That(fault.ClosesConnection, Is.True);
    }
}
