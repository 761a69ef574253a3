using System.Text.Json.Nodes;
using Jeeves.Actor;
using static Jeeves.Tests.Ipc.Dispatch.DispatchTestKit;
using static Jeeves.Tests.Ipc.Dispatch.JsonAssert;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The <c>commbus</c> service over the method table: ipc.md §6.3 and §9.4, in our semantics (COMPATIBILITY.md, CommBus).</summary>
public sealed class CommBusDispatchTests
{
    private const KernelErrorCode IA = KernelErrorCode.InvalidArgument;

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Case48_Publish_PayloadRules()
    {
        await using var kit = new DispatchTestKit();

        JsonObject ok = await kit.Call("commbus", "Publish", """{"event_type":"test.event","payload":"{}","source":"integration-test"}""");
        KernelException notJson = kit.Fails("commbus", "Publish", """{"event_type":"test.event","payload":"not json"}""");
        JsonObject map = await kit.Call("commbus", "Publish", """{"event_type":"test.event","payload":{"a":1}}""");

        Assert.That(ok.ToJsonString(), Is.EqualTo("""{"delivered":0,"success":true}"""));
        Assert.That((notJson.Code, notJson.Message), Is.EqualTo((IA, notJson.Message)));
        Assert.That(notJson.Message, Does.StartWith("validation error: Invalid JSON payload: "));
        Assert.That(Bool(map["success"]), Is.True);
        kit.AssertFails("commbus", "Publish", """{"payload":"{}"}""", IA, "validation error: Missing required field: event_type");
        Assert.That(kit.Fails("commbus", "Publish", """{"event_type":"a","payload":"{} {}"}""").Message, Does.StartWith("validation error: Invalid JSON payload: "));
    }

    [Test]
    public async Task Case49_SendAndQuery_NoHandler_NotFoundInOurSemantics()
    {
        await using var kit = new DispatchTestKit();

        kit.AssertFails("commbus", "Send", """{"command_type":"test.command","payload":"{\"key\": \"value\"}","source":"integration-test"}""",
            KernelErrorCode.NotFound, "not found: No handler registered for command type: test.command");
        kit.AssertFails("commbus", "Query", """{"query_type":"test.query","payload":"{}","source":"integration-test","timeout_ms":500}""",
            KernelErrorCode.NotFound, "not found: No handler registered for query type: test.query");
        kit.AssertFails("commbus", "Send", "{}", IA, "validation error: Missing required field: command_type");
        kit.AssertFails("commbus", "Query", """{"query_type":5}""", IA, "validation error: Missing required field: query_type");
    }

    [Test]
    public async Task SendAndQuery_WithInProcessHandlers_AnswerAndTimeout()
    {
        await using var kit = new DispatchTestKit();
        var bus = ((InProcessKernelClient)kit.Client).Bus;
        string? seen = null;
        using IDisposable command = bus.RegisterCommandHandler("do", (c, _) =>
        {
            seen = c.Payload.GetRawText() + "|" + c.Source;
            return ValueTask.CompletedTask;
        });
        using IDisposable query = bus.RegisterQueryHandler("ask", (q, _) =>
            new ValueTask<QueryResponse>(new QueryResponse(true, System.Text.Json.JsonElement.Parse("""{"n":[1,2.5]}"""), "")));
        using IDisposable silent = bus.RegisterQueryHandler("slow", (_, ct) => new ValueTask<QueryResponse>(new TaskCompletionSource<QueryResponse>().Task));

        JsonObject sent = await kit.Call("commbus", "Send", """{"command_type":"do","payload":"{\"k\": 1}","source":"me"}""");
        JsonObject answer = await kit.Call("commbus", "Query", """{"query_type":"ask","timeout_ms":"soon"}""");
        KernelException timeout = kit.Fails("commbus", "Query", """{"query_type":"slow","timeout_ms":0}""");

        Assert.That(sent.ToJsonString(), Is.EqualTo("""{"error":"","success":true}"""));
        Assert.That(seen, Is.EqualTo("""{"k": 1}|me"""));
        Assert.That(answer.ToJsonString(), Is.EqualTo("""{"error":"","result":{"n":[1,2.5]},"success":true}"""));
        Assert.That(timeout.Code, Is.EqualTo(KernelErrorCode.Timeout));
        Assert.That(timeout.Message, Does.StartWith("timeout: Query timeout after 0ms: slow"));
    }

    [Test]
    public async Task Case50_Subscribe_ChunksCarryThePublishedText()
    {
        await using var kit = new DispatchTestKit();
        using var cts = new CancellationTokenSource();

        IAsyncEnumerable<JsonNode> stream = Table.OpenStream(kit.Client, "commbus", "Subscribe", B("""{"event_types":["test.stream"],"subscriber_id":"test-sub-1"}"""), cts.Token);
        var delivered = new List<long>();
        for (int i = 0; i < 3; i++)
        {
            JsonObject reply = await kit.Call("commbus", "Publish", $$"""{"event_type":"test.stream","payload":"{\"seq\": {{i}}}","source":"stream-test"}""");
            delivered.Add(L(reply["delivered"]));
        }

        List<JsonNode> chunks = await Take(stream, 3);
        await cts.CancelAsync();

        Assert.That(delivered, Is.EqualTo(new[] { 1L, 1L, 1L }));
        Assert.That(chunks.Select(c => Keys(c)), Has.All.EqualTo(new[] { "event_type", "payload", "source", "timestamp_ms" }));
        Assert.That(chunks.Select(c => S(c["payload"])), Is.EqualTo(new[] { """{"seq": 0}""", """{"seq": 1}""", """{"seq": 2}""" }));
        Assert.That(chunks.Select(c => (S(c["event_type"]), S(c["source"]), L(c["timestamp_ms"]))),
            Has.All.EqualTo(("test.stream", "stream-test", TestKernel.Epoch.ToUnixTimeMilliseconds())));
    }

    [TestCase("""{"event_types":[]}""")]
    [TestCase("""{"event_types":[1,2]}""")]
    [TestCase("""{"event_types":"test.stream"}""")]
    [TestCase("{}")]
    public async Task Case51_Subscribe_NoEventTypes_InvalidArgumentWhenOpened(string body)
    {
        await using var kit = new DispatchTestKit();

        KernelException ex = Assert.Throws<KernelException>(() => Table.OpenStream(kit.Client, "commbus", "Subscribe", B(body)))!;

        Assert.That((ex.Code, ex.Message), Is.EqualTo((IA, "validation error: event_types is required (non-empty array)")));
    }

    [Test]
    public async Task Case52_Subscribe_KernelEvents_SortedCompactPayloadsSameTimestamp()
    {
        await using var kit = new DispatchTestKit();
        using var cts = new CancellationTokenSource();
        IAsyncEnumerable<JsonNode> stream = Table.OpenStream(kit.Client, "commbus", "Subscribe",
            B("""{"event_types":["process.created","frontend.orchestrator.started","process.created"]}"""), cts.Token);

        await kit.Call("kernel", "CreateProcess", """{"pid":"p1","request_id":"r1","user_id":"u1","session_id":"s1"}""");
        List<JsonNode> chunks = await Take(stream, 2);
        await cts.CancelAsync();

        Assert.That(chunks.Select(c => S(c["source"])), Has.All.EqualTo("kernel"));
        Assert.That(L(chunks[0]["timestamp_ms"]), Is.EqualTo(L(chunks[1]["timestamp_ms"])));
        Assert.That(chunks.Select(c => S(c["payload"])), Is.EqualTo(new[]
        {
            """{"pid":"p1","request_id":"r1","session_id":"s1","user_id":"u1"}""",
            """{"data":{"pid":"p1","request_id":"r1"},"type":"orchestrator.started"}""",
        }));
    }

    [Test]
    public async Task Subscribe_Cancelled_StreamEndsAndSubscriptionRemoved()
    {
        await using var kit = new DispatchTestKit();
        using var cts = new CancellationTokenSource();
        IAsyncEnumerable<JsonNode> stream = Table.OpenStream(kit.Client, "commbus", "Subscribe", B("""{"event_types":["x"]}"""), cts.Token);
        await using IAsyncEnumerator<JsonNode> reader = stream.GetAsyncEnumerator(cts.Token);
        ValueTask<bool> pending = reader.MoveNextAsync();

        await cts.CancelAsync();

        Assert.That(async () => await pending.AsTask().WaitAsync(s_wait), Throws.InstanceOf<OperationCanceledException>());
        JsonObject reply = await kit.Call("commbus", "Publish", """{"event_type":"x"}""");
        Assert.That(L(reply["delivered"]), Is.EqualTo(0));
    }

    private static async Task<List<JsonNode>> Take(IAsyncEnumerable<JsonNode> stream, int count)
    {
        var result = new List<JsonNode>();
        await using IAsyncEnumerator<JsonNode> reader = stream.GetAsyncEnumerator();
        while (result.Count < count && await reader.MoveNextAsync().AsTask().WaitAsync(s_wait))
        {
            result.Add(reader.Current);
        }

        return result;
    }
}
