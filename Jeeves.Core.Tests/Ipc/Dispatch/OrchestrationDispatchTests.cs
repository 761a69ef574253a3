using System.Text.Json.Nodes;
using static Jeeves.Tests.Ipc.Dispatch.DispatchTestKit;
using static Jeeves.Tests.Ipc.Dispatch.JsonAssert;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The <c>orchestration</c> and <c>engine</c> services over the method table: ipc.md §6.2, §6.6 and §9.3, in our semantics.</summary>
public sealed class OrchestrationDispatchTests
{
    private const KernelErrorCode IA = KernelErrorCode.InvalidArgument;
    private const KernelErrorCode NF = KernelErrorCode.NotFound;

    internal const string P =
        """{"name":"test-pipeline","agents":[{"name":"classify","agent":"classifier","routing":[{"target":"respond","condition":null,"value":null}]},{"name":"respond","agent":"responder","routing":[]}],"max_iterations":5,"max_llm_calls":100,"max_agent_hops":20,"edge_limits":[]}""";

    internal const string E =
        """{"identity":{"envelope_id":"env-1","request_id":"req-e1","user_id":"user-e1","session_id":"sess-e1"},"raw_input":"hi","received_at":"2026-01-01T00:00:00Z","outputs":{},"pipeline":{"current_stage":"","stage_order":[],"iteration":0,"max_iterations":0},"bounds":{"llm_call_count":0,"max_llm_calls":0,"tool_call_count":0,"agent_hop_count":0,"max_agent_hops":0,"tokens_in":0,"tokens_out":0,"terminated":false},"interrupts":{"interrupt_pending":false},"execution":{"completed_stages":[],"current_stage_number":1,"max_stages":5,"all_goals":[],"remaining_goals":[],"goal_completion_status":{},"prior_plans":[],"loop_feedback":[]},"audit":{"processing_history":[],"errors":[],"created_at":"2026-01-01T00:00:00Z","metadata":{}}}""";

    private static readonly string[] s_instructionKeys = ["agent_name", "envelope", "interrupt", "interrupt_pending", "kind", "terminal_reason", "termination_message"];

    private static string Init(string pid, string pipeline = P, string envelope = E, string extra = "") =>
        $$"""{"process_id":"{{pid}}","pipeline_config":{{pipeline}},"envelope":{{envelope}}{{extra}}}""";

    [Test]
    public async Task Case39_InitializeSession_StartsAtFirstStageAndCreatesTheProcess()
    {
        await using var kit = new DispatchTestKit();

        JsonObject state = await kit.Call("orchestration", "InitializeSession", Init("proc-1"));
        JsonObject process = await kit.Call("kernel", "GetProcess", """{"pid":"proc-1"}""");

        Assert.That(Keys(state), Is.EqualTo(new[] { "current_stage", "edge_traversals", "envelope", "process_id", "stage_order", "terminal_reason", "terminated" }));
        Assert.That((S(state["current_stage"]), state["stage_order"]!.ToJsonString(), Bool(state["terminated"]), S(state["terminal_reason"]), J(state["edge_traversals"])),
            Is.EqualTo(("classify", """["classify","respond"]""", false, "", "{}")));
        Assert.That(S(state["envelope"]!["identity"]!["user_id"]), Is.EqualTo("user-e1"));
        Assert.That((S(process["state"]), S(process["user_id"])), Is.EqualTo(("READY", "user-e1")));
    }

    [Test]
    public async Task Case40_ReportFailure_RoutesOnAndRecordsTheFailure()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p"));

        JsonObject next = await kit.Call("orchestration", "ReportAgentResult",
            """{"process_id":"p","agent_name":"classifier","success":false,"error":"simulated agent failure","metrics":{"llm_calls":0,"tool_calls":0,"duration_ms":5}}""");
        JsonObject state = await kit.Call("orchestration", "GetSessionState", """{"process_id":"p"}""");

        Assert.That((S(next["kind"]), S(next["agent_name"])), Is.EqualTo(("RUN_AGENT", "responder")));
        Assert.That(state["envelope"]!["outputs"]!["classifier"]!.ToJsonString(), Is.EqualTo("""{"error":"simulated agent failure","success":false}"""));
        Assert.That((L(state["envelope"]!["bounds"]!["tokens_in"]), L(state["envelope"]!["bounds"]!["tokens_out"])), Is.EqualTo((0L, 0L)));
        Assert.That(J(state["edge_traversals"]), Is.EqualTo("""{"classify->respond":1}"""));
        Assert.That(S(state["envelope"]!["audit"]!["metadata"]!["last_agent_failure"]!["agent_name"]), Is.EqualTo("classifier"));
    }

    [Test]
    public async Task Case41_NextInstruction_EveryKeyPresent_DuplicateSessionAlreadyExistsUnlessForced()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p"));

        JsonObject next = await kit.Call("orchestration", "GetNextInstruction", """{"process_id":"p"}""");
        KernelException duplicate = kit.Fails("orchestration", "InitializeSession", Init("p"));
        JsonObject forced = await kit.Call("orchestration", "InitializeSession", Init("p", extra: ""","force":true"""));

        Assert.That(Keys(next), Is.EqualTo(s_instructionKeys));
        Assert.That((S(next["kind"]), S(next["agent_name"]), Bool(next["interrupt_pending"]), S(next["terminal_reason"]), S(next["termination_message"])),
            Is.EqualTo(("RUN_AGENT", "classifier", false, "", "")));
        Assert.That(next.ContainsKey("interrupt") && next["interrupt"] is null, Is.True);
        Assert.That(S(next["envelope"]!["pipeline"]!["current_stage"]), Is.EqualTo("classify"));
        Assert.That((duplicate.Code, duplicate.Message), Is.EqualTo((KernelErrorCode.AlreadyExists, "already exists: Session already exists for process: p (use force=true to replace)")));
        Assert.That(S(forced["current_stage"]), Is.EqualTo("classify"));
    }

    [Test]
    public async Task Case42_LinearRun_CompletesAndTerminatesTheProcessOnce()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p"));

        await kit.Call("orchestration", "ReportAgentResult", """{"process_id":"p","agent_name":"classifier"}""");
        JsonObject done = await kit.Call("orchestration", "ReportAgentResult", """{"process_id":"p","agent_name":"responder","output":{"answer":42}}""");
        JsonObject again = await kit.Call("orchestration", "GetNextInstruction", """{"process_id":"p"}""");
        JsonObject process = await kit.Call("kernel", "GetProcess", """{"pid":"p"}""");

        Assert.That((S(done["kind"]), S(done["terminal_reason"])), Is.EqualTo(("TERMINATE", "COMPLETED")));
        Assert.That((S(again["kind"]), S(again["terminal_reason"]), S(again["termination_message"])), Is.EqualTo(("TERMINATE", "COMPLETED", "Session already terminated")));
        Assert.That(S(process["state"]), Is.EqualTo("TERMINATED"), "ours: the process ends with its run");
        Assert.That(kit.Fails("orchestration", "ReportAgentResult", """{"process_id":"p","agent_name":"responder"}""").Code,
            Is.EqualTo(KernelErrorCode.FailedPrecondition), "ours: a report after termination is refused");
    }

    [Test]
    public async Task Case43_ExhaustedLlmBound_TerminatesAtOnce()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p", P.Replace("\"max_llm_calls\":100", "\"max_llm_calls\":0", StringComparison.Ordinal)));

        JsonObject next = await kit.Call("orchestration", "GetNextInstruction", """{"process_id":"p"}""");

        Assert.That((S(next["kind"]), S(next["terminal_reason"])), Is.EqualTo(("TERMINATE", "MAX_LLM_CALLS_EXCEEDED")));
    }

    [Test]
    public async Task Case44_EdgeLimit_EndsTheLoop()
    {
        await using var kit = new DispatchTestKit();
        const string Loop =
            """{"name":"loop","agents":[{"name":"s1","agent":"a1","routing":[{"target":"s2","value":null}]},{"name":"s2","agent":"a2","routing":[{"target":"s1","value":null}]}],"max_iterations":50,"max_llm_calls":50,"max_agent_hops":50,"edge_limits":[{"from_stage":"s2","to_stage":"s1","max_count":2}]}""";
        await kit.Call("orchestration", "InitializeSession", Init("p", Loop));

        var kinds = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            JsonObject next = await kit.Call("orchestration", "GetNextInstruction", """{"process_id":"p"}""");
            JsonObject reply = await kit.Call("orchestration", "ReportAgentResult", $$"""{"process_id":"p","agent_name":"{{S(next["agent_name"])}}"}""");
            kinds.Add(S(reply["kind"]) + ":" + S(reply["agent_name"]) + S(reply["terminal_reason"]));
        }

        JsonObject state = await kit.Call("orchestration", "GetSessionState", """{"process_id":"p"}""");

        Assert.That(kinds, Is.EqualTo(new[] { "RUN_AGENT:a2", "RUN_AGENT:a1", "RUN_AGENT:a2", "RUN_AGENT:a1", "RUN_AGENT:a2", "TERMINATE:MAX_AGENT_HOPS_EXCEEDED" }));
        Assert.That(J(state["edge_traversals"]), Is.EqualTo("""{"s1->s2":3,"s2->s1":2}"""));
        Assert.That(S(state["envelope"]!["bounds"]!["termination_reason"]), Is.EqualTo("Edge limit exceeded: s2 -> s1"));
    }

    [TestCase("x", "b-agent")]
    [TestCase("y", "c-agent")]
    public async Task Case45_ConditionalRouting(string intent, string expected)
    {
        await using var kit = new DispatchTestKit();
        const string Branch =
            """{"name":"branch","agents":[{"name":"a","agent":"A","routing":[{"condition":"intent","value":"x","target":"b"},{"condition":null,"value":null,"target":"c"}]},{"name":"b","agent":"b-agent","routing":[]},{"name":"c","agent":"c-agent","routing":[]}],"max_iterations":5,"max_llm_calls":5,"max_agent_hops":5,"edge_limits":[]}""";
        await kit.Call("orchestration", "InitializeSession", Init("p", Branch));

        JsonObject next = await kit.Call("orchestration", "ReportAgentResult", $$$"""{"process_id":"p","agent_name":"A","output":{"intent":"{{{intent}}}"}}""");

        Assert.That(S(next["agent_name"]), Is.EqualTo(expected));
    }

    [Test]
    public async Task Case46_InitializeSession_BadInput_NothingCreated()
    {
        await using var kit = new DispatchTestKit();
        JsonNode before = await kit.Snapshot();

        kit.AssertFails("orchestration", "InitializeSession", $$"""{"process_id":"p","envelope":{{E}}}""", IA, "validation error: Missing field: pipeline_config");
        kit.AssertFails("orchestration", "InitializeSession", $$"""{"process_id":"p","pipeline_config":{{P}}}""", IA, "validation error: Missing field: envelope");
        KernelException target = kit.Fails("orchestration", "InitializeSession", Init("p", P.Replace("\"target\":\"respond\"", "\"target\":\"zzz\"", StringComparison.Ordinal)));
        kit.AssertFails("orchestration", "InitializeSession", Init("p", envelope: """{"envelope_id":"e","current_stage":"start"}"""), IA,
            "validation error: Invalid envelope: missing field identity");
        kit.AssertFails("orchestration", "InitializeSession", Init("p", P.Replace("\"edge_limits\":[]", "\"x\":1", StringComparison.Ordinal)), IA,
            "validation error: Invalid pipeline_config: missing field `edge_limits`");
        kit.AssertFails("orchestration", "InitializeSession", Init("p", P.Replace("\"max_iterations\":5", "\"max_iterations\":3000000000", StringComparison.Ordinal)), IA,
            "validation error: Invalid pipeline_config: invalid value: integer `3000000000`, expected i32");
        kit.AssertFails("orchestration", "InitializeSession", Init("p", P.Replace("\"max_iterations\":5", "\"max_iterations\":5.5", StringComparison.Ordinal)), IA,
            "validation error: Invalid pipeline_config: invalid type: floating point `5.5`, expected i32");
        kit.AssertFails("orchestration", "InitializeSession", Init("p", P.Replace(",\"value\":null", "", StringComparison.Ordinal)), IA,
            "validation error: Invalid pipeline_config: missing field `value`");
        kit.AssertFails("orchestration", "InitializeSession", Init("p", "[]"), IA,
            "validation error: Invalid pipeline_config: invalid type: sequence, expected struct PipelineConfig");
        kit.AssertFails("orchestration", "InitializeSession", Init(""), IA, "validation error: ProcessId cannot be empty");

        Assert.That(target.Code, Is.EqualTo(IA));
        Assert.That(target.Message, Does.StartWith("validation error: Stage 'classify' has routing target 'zzz'"));
        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
    }

    [Test]
    public async Task Case46_StartStage_OursStartsAtTheFirstStage()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p", envelope: E.Replace("\"current_stage\":\"\"", "\"current_stage\":\"start\"", StringComparison.Ordinal)));

        JsonObject next = await kit.Call("orchestration", "GetNextInstruction", """{"process_id":"p"}""");

        Assert.That(S(next["agent_name"]), Is.EqualTo("classifier"));
    }

    [Test]
    public async Task Case47_UnknownProcessAndBadMetrics()
    {
        await using var kit = new DispatchTestKit();

        Assert.That(kit.Fails("orchestration", "GetNextInstruction", """{"process_id":"none"}""").Code, Is.EqualTo(NF));
        Assert.That(kit.Fails("orchestration", "ReportAgentResult", """{"process_id":"none","agent_name":"x"}""").Code, Is.EqualTo(NF));
        Assert.That(kit.Fails("orchestration", "GetSessionState", """{"process_id":"none"}""").Code, Is.EqualTo(NF));
        kit.AssertFails("orchestration", "ReportAgentResult", """{"process_id":"none","agent_name":"x","metrics":{"llm_calls":-1}}""", IA,
            "validation error: metrics.llm_calls must be non-negative, got -1");
        kit.AssertFails("orchestration", "ReportAgentResult", """{"process_id":"none","agent_name":"x","metrics":{"tokens_in":null}}""", IA,
            "validation error: metrics.tokens_in must be an integer");
        kit.AssertFails("orchestration", "ReportAgentResult", """{"process_id":"none","agent_name":"x","metrics":{"tokens_out":-2}}""", IA,
            "validation error: metrics.tokens_out must be non-negative, got -2");
        kit.AssertFails("orchestration", "ReportAgentResult", """{"process_id":"none","agent_name":"x","metrics":{"tool_calls":2147483648}}""", IA,
            "validation error: metrics.tool_calls value 2147483648 exceeds i32 range");
        kit.AssertFails("orchestration", "ReportAgentResult", """{"process_id":"none"}""", IA, "validation error: Missing required field: agent_name");
        kit.AssertFails("orchestration", "GetNextInstruction", "{}", IA, "validation error: Missing required field: process_id");
    }

    [Test]
    public async Task ReportAgentResult_Metrics_ChargedToTheProcess()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("orchestration", "InitializeSession", Init("p"));

        await kit.Call("orchestration", "ReportAgentResult",
            """{"process_id":"p","agent_name":"classifier","output":"not a map","metrics":{"llm_calls":2,"tool_calls":1,"tokens_in":30,"tokens_out":7,"duration_ms":12}}""");
        JsonObject usage = await kit.Call("kernel", "RecordUsage", """{"pid":"p"}""");
        JsonObject state = await kit.Call("orchestration", "GetSessionState", """{"process_id":"p"}""");

        Assert.That(usage.ToJsonString(), Is.EqualTo("""{"agent_hops":1,"llm_calls":2,"tokens_in":30,"tokens_out":7,"tool_calls":1}"""));
        Assert.That(state["envelope"]!["outputs"]!["classifier"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(L(state["envelope"]!["audit"]!["processing_history"]![0]!["duration_ms"]), Is.EqualTo(12));
    }

    [Test]
    public async Task Engine_CreateCheckUpdateCloneExecute()
    {
        await using var kit = new DispatchTestKit();

        JsonObject created = await kit.Call("engine", "CreateEnvelope", """{"raw_input":"q","user_id":"u","stage_order":["classify","respond",5]}""");
        string id = S(created["identity"]!["envelope_id"]);
        JsonObject bounds = await kit.Call("engine", "CheckBounds", created);
        JsonObject updated = await kit.Call("engine", "UpdateEnvelope", new JsonObject { ["envelope"] = created.DeepClone() });
        JsonObject cloned = await kit.Call("engine", "CloneEnvelope", new JsonObject { ["envelope"] = created.DeepClone() });
        JsonObject instruction = await kit.Call("engine", "ExecutePipeline",
            new JsonObject { ["envelope"] = E, ["pipeline_config"] = P });

        Assert.That(id, Does.StartWith("env_"));
        Assert.That((S(created["raw_input"]), S(created["identity"]!["user_id"]), S(created["pipeline"]!["current_stage"])), Is.EqualTo(("q", "u", "classify")));
        Assert.That(Keys(bounds), Is.EqualTo(new[] { "agent_hops_remaining", "can_continue", "iterations_remaining", "llm_calls_remaining", "terminal_reason" }));
        Assert.That((Bool(bounds["can_continue"]), S(bounds["terminal_reason"])), Is.EqualTo((true, "")));
        Assert.That(S(updated["identity"]!["envelope_id"]), Is.EqualTo(id));
        Assert.That(S(cloned["identity"]!["envelope_id"]), Is.Not.EqualTo(id).And.StartWith("env_"));
        Assert.That((S(instruction["kind"]), S(instruction["agent_name"])), Is.EqualTo(("RUN_AGENT", "classifier")));
    }

    [Test]
    public async Task Engine_BadInput()
    {
        await using var kit = new DispatchTestKit();

        kit.AssertFails("engine", "UpdateEnvelope", "{}", IA, "validation error: Missing required field: envelope");
        kit.AssertFails("engine", "CloneEnvelope", """{"envelope":5}""", IA, "validation error: Missing required field: envelope");
        kit.AssertFails("engine", "ExecutePipeline", $$"""{"envelope":{{E}}}""", IA, "validation error: Missing required field: pipeline_config");
        kit.AssertFails("engine", "CheckBounds", "{}", IA, "validation error: Invalid envelope: missing field identity");
        Assert.That(kit.Fails("engine", "UpdateEnvelope", $$"""{"envelope":{{E}}}""").Code, Is.EqualTo(NF));
        Assert.That(kit.Fails("engine", "ExecutePipeline", new JsonObject { ["envelope"] = E, ["pipeline_config"] = "{not json" }).Message,
            Does.StartWith("validation error: Invalid pipeline_config: "));
        Assert.That(kit.Fails("engine", "ExecutePipeline", new JsonObject { ["envelope"] = "{", ["pipeline_config"] = P }).Message,
            Does.StartWith("validation error: Invalid envelope: "));
    }
}
