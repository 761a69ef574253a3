using System.Buffers;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Jeeves.Ipc;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>
/// The host's fast path gives what the generic path gives: requests read without decoding the body yield the same
/// fields, and replies written without nodes are the very bytes the node-built views encode to.
/// </summary>
public sealed class FastPathProperties
{
    private static readonly DateTimeOffset s_epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 500)]
    public bool RequestReader_AnyRequest_SameFieldsAsTheDecodedRequest(RequestSample sample)
    {
        // Arrange
        using var writer = new FrameWriter();
        JsonObject body = sample.Body.Build() as JsonObject ?? [];
        Frame frame = Payload(writer.WriteRequest(new WireRequest(sample.Id, sample.Service, sample.Method, body)));
        WireRequest slow = WireMessages.ParseRequest(frame);

        // Act
        bool fast = WireRequestReader.TryRead(frame, out IpcRequest request);

        // Assert: the fast path takes a well-formed request unless its body nests too deep, and then reads the same.
        return fast
            ? (request.Id, request.Service, request.Method) == (slow.Id, slow.Service, slow.Method)
                && request.Body.IsEncoded
                && WireSemantics.Same(slow.Body, request.Body.ToObject())
                && slow.Body.All(p => WireSemantics.Same(p.Value, request.Body.Get(p.Key)))
                && request.Body.Get("no such key") is null
            : Depth(body) > IpcMethodTable.MaxDepth;
    }

    [Property(Arbitrary = new[] { typeof(IpcArbitraries) }, MaxTest = 1000)]
    public bool RequestReader_CorruptedRequest_NeverTakesWhatTheDecoderRefuses(RequestSample sample, int position, byte replacement)
    {
        // Arrange
        using var writer = new FrameWriter();
        JsonObject body = sample.Body.Build() as JsonObject ?? [];
        byte[] payload = writer.WriteRequest(new WireRequest(sample.Id, sample.Service, sample.Method, body))[FrameLayout.HeaderLength..].ToArray();
        payload[(int)((uint)position % payload.Length)] = replacement;
        var frame = new Frame(FrameType.Request, new ReadOnlySequence<byte>(payload));
        WireRequest? slow;
        try
        {
            slow = WireMessages.ParseRequest(frame);
        }
        catch (FrameException)
        {
            slow = null;
        }

        // Act
        bool fast = WireRequestReader.TryRead(frame, out IpcRequest request);

        // Assert
        return !fast || (slow is { } s
            && (request.Id, request.Service, request.Method) == (s.Id, s.Service, s.Method)
            && WireSemantics.Same(s.Body, request.Body.ToObject()));
    }

    [Property(MaxTest = 500)]
    public bool ProcessReply_AnyProcess_SameBytesAsTheNodeView(
        int llmCalls, long tokensIn, int maxLlmCalls, int maxContextTokens, long startTicks, bool completed, string? user, byte state, byte priority)
    {
        // Arrange
        DateTimeOffset created = s_epoch.AddTicks(Math.Abs(startTicks % TimeSpan.TicksPerDay));
        DateTimeOffset? started = startTicks % 3 == 0 ? null : created.AddTicks(Math.Abs(startTicks % 12_345_678));
        var process = new ProcessInfo
        {
            Pid = new ProcessId("p1"),
            RequestId = new RequestId("r1"),
            UserId = user is { Length: > 0 } ? new UserId(user) : default,
            SessionId = default,
            State = (ProcessState)(state % 7),
            Priority = (SchedulingPriority)(priority % 5),
            Quota = ResourceQuota.Default with { MaxLlmCalls = maxLlmCalls, MaxContextTokens = maxContextTokens },
            Usage = new ResourceUsage { LlmCalls = llmCalls, TokensIn = tokensIn, TokensOut = -tokensIn, AgentHops = 300, ToolCalls = 70_000 },
            CreatedAt = created,
            StartedAt = started,
            LastScheduledAt = started,
            CompletedAt = completed ? created.AddSeconds(1.5) : null,
        };

        // Act / Assert
        return SameBytes(IpcReply.Process(process), IpcViews.Process(process));
    }

    [Property(MaxTest = 200)]
    public bool QuotaAndUsageReplies_AnyValues_SameBytesAsTheNodeViews(int llmCalls, long tokensOut, bool within, string? reason)
    {
        var usage = new ResourceUsage { LlmCalls = llmCalls, TokensOut = tokensOut, ToolCalls = -llmCalls, TokensIn = long.MaxValue };
        var check = new QuotaCheckResult(within ? QuotaViolation.None : QuotaViolation.LlmCalls, reason ?? string.Empty, usage);
        return SameBytes(IpcReply.Usage(usage), IpcViews.Usage(usage))
            && SameBytes(IpcReply.QuotaCheck(check), IpcViews.QuotaCheck(check));
    }

    [Test]
    public async Task SystemStatusReply_LiveKernel_SameBytesAsTheNodeView()
    {
        // Arrange
        await using var kit = new DispatchTestKit();
        await kit.Create("p1", "u1");
        await kit.Create("p2", "u1");
        await kit.Call("kernel", "TransitionState", """{"pid":"p2","new_state":"RUNNING"}""");

        // Act
        SystemStatus status = await kit.Client.Kernel.GetSystemStatusAsync();

        // Assert
        Assert.That(SameBytes(IpcReply.SystemStatus(status), IpcViews.SystemStatus(status)), Is.True);
    }

    private static bool SameBytes(IpcReply fast, JsonNode generic)
    {
        using var fastWriter = new FrameWriter();
        using var genericWriter = new FrameWriter();
        using var nodeWriter = new FrameWriter();
        ReadOnlySpan<byte> expected = genericWriter.WriteResponse("r1", generic).Span;

        // The fast reply's node form (what in-process dispatch returns) encodes to the same bytes too.
        return fastWriter.WriteResponse("r1", fast).Span.SequenceEqual(expected)
            && nodeWriter.WriteResponse("r1", fast.ToNode()).Span.SequenceEqual(expected);
    }

    private static Frame Payload(ReadOnlyMemory<byte> frame) =>
        new(FrameType.Request, new ReadOnlySequence<byte>(frame[FrameLayout.HeaderLength..].ToArray()));

    private static int Depth(JsonNode? node) => node switch
    {
        JsonObject o => 1 + o.Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
        JsonArray a => 1 + a.Select(Depth).DefaultIfEmpty(0).Max(),
        _ => 0,
    };
}
