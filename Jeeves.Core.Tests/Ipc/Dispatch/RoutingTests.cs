using System.Text.Json.Nodes;
using Jeeves.Ipc;
using static Jeeves.Tests.Ipc.Dispatch.DispatchTestKit;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The table itself: what is routed and how unknown names fail (ipc.md §6.0, §9.1 cases 3, 4 and 6).</summary>
public sealed class RoutingTests
{
    [Test]
    public void Table_RoutesEveryMethodOfEveryService()
    {
        var byService = Table.Methods.GroupBy(m => m.Service).ToDictionary(g => g.Key, g => g.Count());

        Assert.That(byService, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["kernel"] = 15, ["engine"] = 5, ["orchestration"] = 4, ["commbus"] = 4, ["interrupt"] = 5, ["tools"] = 15,
        }));
        Assert.That(Table.Count, Is.EqualTo(48));
        Assert.That(Table.IsStreaming("commbus", "Subscribe"), Is.True);
        Assert.That(Table.Methods.Count(m => Table.IsStreaming(m.Service, m.Method)), Is.EqualTo(1));
    }

    [TestCase("nonexistent", "Foo", "not found: Unknown service: nonexistent")]
    [TestCase("kernel", "Foo", "not found: Unknown kernel method: Foo")]
    [TestCase("Kernel", "GetSystemStatus", "not found: Unknown service: Kernel")]
    [TestCase("kernel", "getSystemStatus", "not found: Unknown kernel method: getSystemStatus")]
    [TestCase("engine", "Foo", "not found: Unknown engine method: Foo")]
    [TestCase("tools", "", "not found: Unknown tools method: ")]
    [TestCase("", "X", "not found: Unknown service: ")]
    public async Task Unknown_NotFoundWithReferenceMessage(string service, string method, string message)
    {
        await using var kit = new DispatchTestKit();

        kit.AssertFails(service, method, "{}", KernelErrorCode.NotFound, message);
        Assert.That(Assert.Throws<KernelException>(() => Table.OpenStream(kit.Client, service, method, null))!.Message, Is.EqualTo(message));
    }

    [Test]
    public async Task StreamingAndUnaryEntryPoints_NotInterchangeable()
    {
        await using var kit = new DispatchTestKit();

        KernelException unary = kit.Fails("commbus", "Subscribe", """{"event_types":["x"]}""");
        KernelException stream = Assert.Throws<KernelException>(() => Table.OpenStream(kit.Client, "kernel", "GetSystemStatus", null))!;

        Assert.That((unary.Code, stream.Code), Is.EqualTo((KernelErrorCode.InvalidArgument, KernelErrorCode.InvalidArgument)));
    }

    [Test]
    public async Task Case6_NilBody_ReadsAsEmpty()
    {
        await using var kit = new DispatchTestKit();

        JsonNode status = await Table.DispatchAsync(kit.Client, "kernel", "GetSystemStatus", null);
        KernelException missing = Assert.CatchAsync<KernelException>(async () => await Table.DispatchAsync(kit.Client, "kernel", "GetProcess", null))!;

        Assert.That(status["processes"], Is.Not.Null);
        Assert.That(missing.Message, Is.EqualTo("validation error: Missing required field: pid"));
    }

    [Test]
    public async Task Responses_UseOnlyTheCodecValueTypes()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");
        await kit.Call("interrupt", "CreateInterrupt", """{"kind":"timeout","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e","data":{"x":1.5,"y":[1,"a",null]}}""");

        JsonNode[] bodies =
        [
            await kit.Call("kernel", "GetSystemStatus"),
            await kit.Call("kernel", "CheckRateLimit", """{"user_id":"u","record":false}"""),
            await kit.Call("interrupt", "GetPendingForSession", """{"session_id":"s"}"""),
            await kit.Call("engine", "CreateEnvelope", """{"stage_order":["a"]}"""),
        ];

        Assert.That(bodies.SelectMany(Leaves).Select(v => v.GetType()).Distinct(), Is.SubsetOf(new[]
        {
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(string)),
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(int)),
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(long)),
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(ulong)),
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(double)),
            typeof(JsonValue).Assembly.GetType("System.Text.Json.Nodes.JsonValuePrimitive`1")!.MakeGenericType(typeof(bool)),
        }));
    }

    [Test]
    public async Task DeepBody_RefusedBeyondTheKernelsDepthAndNothingChanges()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init());
        JsonNode before = await kit.Snapshot();
        JsonObject state = await kit.Call("orchestration", "GetSessionState", """{"process_id":"p"}""");

        // The body is level 1 and its output level 2; 63 levels of output make 64, the most the kernel stores.
        JsonObject deepest = B("""{"process_id":"p","agent_name":"classifier"}""");
        deepest["output"] = Deep(63);
        JsonObject tooDeep = B("""{"process_id":"p","agent_name":"classifier"}""");
        tooDeep["output"] = Deep(64);
        JsonObject deepSubscribe = B("""{"event_types":["x"]}""");
        deepSubscribe["extra"] = Deep(70);

        KernelException ex = Assert.CatchAsync<KernelException>(async () => await Table.DispatchAsync(kit.Client, "orchestration", "ReportAgentResult", tooDeep))!;
        Assert.That((ex.Code, ex.Message), Is.EqualTo((KernelErrorCode.InvalidArgument, "validation error: Request body nests deeper than 64 levels")));
        Assert.That(JsonNode.DeepEquals(state, await kit.Call("orchestration", "GetSessionState", """{"process_id":"p"}""")), Is.True);
        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
        Assert.That(Assert.Throws<KernelException>(() => Table.OpenStream(kit.Client, "commbus", "Subscribe", deepSubscribe))!.Code,
            Is.EqualTo(KernelErrorCode.InvalidArgument));
        JsonObject next = await kit.Call("orchestration", "ReportAgentResult", deepest);
        Assert.That(next["kind"]!.GetValue<string>(), Is.EqualTo("RUN_AGENT"));
    }

    private static string Init() =>
        $$"""{"process_id":"p","pipeline_config":{{OrchestrationDispatchTests.P}},"envelope":{{OrchestrationDispatchTests.E}}}""";

    /// <summary>Objects nested <paramref name="levels"/> deep, the innermost empty.</summary>
    private static JsonObject Deep(int levels)
    {
        var node = new JsonObject();
        for (int i = 1; i < levels; i++)
        {
            node = new JsonObject { ["a"] = node };
        }

        return node;
    }

    private static IEnumerable<JsonValue> Leaves(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Leaves(p.Value)),
        JsonArray a => a.SelectMany(Leaves),
        JsonValue v => [v],
        _ => [],
    };
}
