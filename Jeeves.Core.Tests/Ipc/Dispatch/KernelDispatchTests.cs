using System.Text.Json.Nodes;
using static Jeeves.Tests.Ipc.Dispatch.DispatchTestKit;
using static Jeeves.Tests.Ipc.Dispatch.JsonAssert;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The <c>kernel</c> service over the method table: ipc.md §6.1 and §9.2, in our semantics where COMPATIBILITY.md differs.</summary>
public sealed class KernelDispatchTests
{
    private const KernelErrorCode IA = KernelErrorCode.InvalidArgument;
    private const KernelErrorCode NF = KernelErrorCode.NotFound;
    private const KernelErrorCode FP = KernelErrorCode.FailedPrecondition;

    // §5.1 plus our additive quota and created_at (started_at, last_scheduled_at, completed_at once set).
    private static readonly string[] s_processKeys = ["created_at", "current_stage", "pid", "priority", "quota", "request_id", "session_id", "state", "usage", "user_id"];
    private static readonly string[] s_usageKeys = ["agent_hops", "llm_calls", "tokens_in", "tokens_out", "tool_calls"];
    private static readonly string[] s_stateKeys = ["BLOCKED", "NEW", "READY", "RUNNING", "TERMINATED", "WAITING", "ZOMBIE"];

    [Test]
    public async Task Case18_CreateProcess_FullRequest_ReturnsStoredReadyProcess()
    {
        await using var kit = new DispatchTestKit();

        JsonObject p = await kit.Call("kernel", "CreateProcess",
            """{"pid":"test-proc-1","request_id":"req-1","user_id":"user-1","session_id":"sess-1","priority":"NORMAL","quota":{"max_llm_calls":100,"max_tool_calls":50,"max_agent_hops":10,"max_iterations":20,"timeout_seconds":300}}""");

        Assert.That(Keys(p), Is.EqualTo(s_processKeys));
        Assert.That(Keys(p["usage"]), Is.EqualTo(s_usageKeys));
        Assert.That((S(p["pid"]), S(p["state"]), S(p["priority"]), S(p["current_stage"])), Is.EqualTo(("test-proc-1", "READY", "NORMAL", "")));
        Assert.That((S(p["request_id"]), S(p["user_id"]), S(p["session_id"])), Is.EqualTo(("req-1", "user-1", "sess-1")));
        Assert.That(s_usageKeys.Select(k => L(p["usage"]![k])), Is.All.EqualTo(0));
        Assert.That(Keys(p["quota"]), Has.Length.EqualTo(14));
        Assert.That((L(p["quota"]!["max_llm_calls"]), L(p["quota"]!["max_tool_calls"]), L(p["quota"]!["max_context_tokens"])), Is.EqualTo((100, 50, 150_000)));
        Assert.That(S(p["created_at"]), Is.EqualTo(Rfc3339.Format(kit.Time.GetUtcNow())));
    }

    [Test]
    public async Task ProcessView_Timestamps_AddedOnceSetNeverNull()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("kernel", "CreateProcess", """{"pid":"p1"}""");
        DateTimeOffset created = kit.Time.GetUtcNow();
        kit.Time.Advance(TimeSpan.FromMilliseconds(1500));

        JsonObject running = await kit.Call("kernel", "TransitionState", """{"pid":"p1","new_state":"RUNNING"}""");
        kit.Time.Advance(TimeSpan.FromSeconds(2));
        JsonObject done = await kit.Call("kernel", "TerminateProcess", """{"pid":"p1"}""");

        Assert.That(running.ContainsKey("completed_at"), Is.False);
        Assert.That((S(running["created_at"]), S(running["started_at"]), S(running["last_scheduled_at"])),
            Is.EqualTo((Rfc3339.Format(created), Rfc3339.Format(created.AddMilliseconds(1500)), Rfc3339.Format(created.AddMilliseconds(1500)))));
        Assert.That(S(done["completed_at"]), Is.EqualTo(Rfc3339.Format(created.AddMilliseconds(3500))));
    }

    [Test]
    public async Task Case19And20_GetProcess_AfterCreate_ReadyAndDefaultsFilled()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("shared-test", "user-s");
        await kit.Call("kernel", "CreateProcess", """{"pid":"p-anon"}""");

        JsonObject shared = await kit.Call("kernel", "GetProcess", """{"pid":"shared-test"}""");
        JsonObject anon = await kit.Call("kernel", "GetProcess", """{"pid":"p-anon"}""");

        Assert.That((S(shared["pid"]), S(shared["user_id"]), S(shared["state"])), Is.EqualTo(("shared-test", "user-s", "READY")));
        Assert.That(S(anon["user_id"]), Is.EqualTo("anonymous"));
        Assert.That(S(anon["request_id"]), Has.Length.EqualTo(36));
        Assert.That(S(anon["session_id"]), Has.Length.EqualTo(36));
    }

    [Test]
    public async Task Case21_CreateProcess_DuplicatePid_AlreadyExistsAndOriginalUntouched()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("dup", "a");
        JsonNode before = await kit.Snapshot();

        kit.AssertFails("kernel", "CreateProcess", """{"pid":"dup","user_id":"b"}""", KernelErrorCode.AlreadyExists, "already exists: Process dup already exists");

        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
    }

    [Test]
    public async Task Case22_CreateProcess_InputChecks()
    {
        await using var kit = new DispatchTestKit();

        JsonObject high = await kit.Call("kernel", "CreateProcess", """{"pid":"h","priority":"high","user_id":"u1"}""");
        JsonNode before = await kit.Snapshot();
        kit.AssertFails("kernel", "CreateProcess", """{"pid":"x","priority":"urgent"}""", IA, "validation error: Invalid priority: urgent");
        kit.AssertFails("kernel", "CreateProcess", """{"user_id":"u"}""", IA, "validation error: Missing required field: pid");
        kit.AssertFails("kernel", "CreateProcess", """{"pid":""}""", IA, "validation error: ProcessId cannot be empty");
        kit.AssertFails("kernel", "CreateProcess", """{"pid":7}""", IA, "validation error: Missing required field: pid");

        Assert.That(S(high["priority"]), Is.EqualTo("HIGH"));
        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
    }

    [Test]
    public async Task Case23_CreateProcess_QuotaOutOfRange_NegAndI32InReferenceOrder()
    {
        await using var kit = new DispatchTestKit();

        kit.AssertFails("kernel", "CreateProcess", """{"pid":"q1","quota":{"max_llm_calls":3000000000}}""", IA,
            "validation error: max_llm_calls value 3000000000 exceeds i32 range");
        kit.AssertFails("kernel", "CreateProcess", """{"pid":"q2","quota":{"max_llm_calls":100,"timeout_seconds":-1}}""", IA,
            "validation error: timeout_seconds must be non-negative, got -1");
        kit.AssertFails("kernel", "CreateProcess", """{"pid":"q3","quota":{"rate_limit_burst":-2,"max_tool_calls":-1}}""", IA,
            "validation error: max_tool_calls must be non-negative, got -1");

        Assert.That((await kit.Call("kernel", "ListProcesses"))["processes"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task CreateProcess_PartialQuotaTakesFactoryValues_NoQuotaTakesCurrentDefaults()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("kernel", "SetQuotaDefaults", """{"quota":{"max_tool_calls":7}}""");
        await kit.Create("with", "u1", ""","quota":{"max_llm_calls":1}""");
        await kit.Create("without", "u2");
        await kit.Call("kernel", "RecordUsage", """{"pid":"with","tool_calls":8}""");
        await kit.Call("kernel", "RecordUsage", """{"pid":"without","tool_calls":8}""");

        JsonObject with = await kit.Call("kernel", "CheckQuota", """{"pid":"with"}""");
        JsonObject without = await kit.Call("kernel", "CheckQuota", """{"pid":"without"}""");

        Assert.That(Bool(with["within_bounds"]), Is.True, "factory max_tool_calls 50");
        Assert.That(S(without["exceeded_reason"]), Is.EqualTo("quota exceeded: Process without quota exceeded: tool_calls 8 > 7"));
    }

    [Test]
    public async Task Case24_CreateProcess_EleventhInBurst_ResourceExhausted()
    {
        await using var kit = new DispatchTestKit();
        for (int i = 0; i < 10; i++)
        {
            await kit.Create("b" + i, "burst-user");
        }

        kit.AssertFails("kernel", "CreateProcess", """{"pid":"b10","user_id":"burst-user"}""", KernelErrorCode.ResourceExhausted,
            "quota exceeded: Burst limit exceeded: 10 requests per 10 seconds");
        Assert.That((await kit.Call("kernel", "ListProcesses"))["processes"]!.AsArray(), Has.Count.EqualTo(10));
    }

    [Test]
    public async Task Case25_UnknownPid_NotFoundWithEachMethodsWording()
    {
        await using var kit = new DispatchTestKit();

        kit.AssertFails("kernel", "GetProcess", """{"pid":"nope"}""", NF, "not found: Process nope not found");
        kit.AssertFails("kernel", "ScheduleProcess", """{"pid":"nope"}""", NF, "not found: unknown pid: nope");
        kit.AssertFails("kernel", "TerminateProcess", """{"pid":"nope"}""", NF, "not found: unknown pid: nope");
        kit.AssertFails("kernel", "ResumeProcess", """{"pid":"nope"}""", NF, "not found: unknown pid: nope");
        kit.AssertFails("kernel", "CheckQuota", """{"pid":"nope"}""", NF, "not found: Process nope not found");
        kit.AssertFails("kernel", "TransitionState", """{"pid":"nope","new_state":"RUNNING"}""", NF, "not found: Process nope not found");
        kit.AssertFails("kernel", "GetProcess", """{"pid":""}""", IA, "validation error: ProcessId cannot be empty");
        kit.AssertFails("kernel", "ScheduleProcess", "{}", IA, "validation error: Missing required field: pid");
    }

    [Test]
    public async Task Case26_GetNextRunnable_PriorityOrderThenNotFound()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("low", "a", ""","priority":"LOW" """);
        await kit.Create("high", "b", ""","priority":"HIGH" """);
        await kit.Create("normal", "c", ""","priority":"NORMAL" """);

        var order = new List<(string, string)>();
        for (int i = 0; i < 3; i++)
        {
            JsonObject p = await kit.Call("kernel", "GetNextRunnable", """{"ignored":true}""");
            order.Add((S(p["pid"]), S(p["state"])));
        }

        Assert.That(order, Is.EqualTo(new[] { ("high", "READY"), ("normal", "READY"), ("low", "READY") }));
        kit.AssertFails("kernel", "GetNextRunnable", "{}", NF, "not found: No runnable processes");
    }

    [Test]
    public async Task ScheduleProcess_ReadyProcess_FailedPrecondition()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        KernelException ex = kit.Fails("kernel", "ScheduleProcess", """{"pid":"p"}""");

        Assert.That(ex.Code, Is.EqualTo(FP));
        Assert.That(ex.Message, Does.StartWith("state transition error: "));
    }

    [Test]
    public async Task Case27To29_TransitionState_FullTableCaseInsensitive()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        JsonObject running = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"RUNNING"}""");
        JsonObject blocked = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"blocked","reason":"r"}""");
        JsonObject ready = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"Ready"}""");
        await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"RUNNING"}""");
        JsonObject waiting = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"waiting"}""");
        JsonObject resumed = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"READY"}""");
        JsonObject terminated = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"TERMINATED"}""");
        JsonObject zombie = await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"ZOMBIE"}""");

        Assert.That(new[] { running, blocked, ready, waiting, resumed, terminated, zombie }.Select(p => S(p["state"])),
            Is.EqualTo(new[] { "RUNNING", "BLOCKED", "READY", "WAITING", "READY", "TERMINATED", "ZOMBIE" }));
    }

    [Test]
    public async Task Case28_TransitionState_IllegalAndBadInput()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");
        JsonNode before = await kit.Snapshot();

        kit.AssertFails("kernel", "TransitionState", """{"pid":"p","new_state":"waiting"}""", FP, "state transition error: Invalid transition from Ready to Waiting");
        kit.AssertFails("kernel", "TransitionState", """{"pid":"p","new_state":"FOO"}""", IA, "validation error: Invalid process state: FOO");
        kit.AssertFails("kernel", "TransitionState", """{"pid":"p"}""", IA, "validation error: Missing required field: new_state");
        kit.AssertFails("kernel", "TransitionState", """{"pid":"p","new_state":1}""", IA, "validation error: Missing required field: new_state");
        kit.AssertFails("kernel", "TransitionState", """{"pid":"p","new_state":"READY"}""", FP, "state transition error: Invalid transition from Ready to Ready");

        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
    }

    [Test]
    public async Task Case30_TerminateIdempotent_ResumeOnlyFromWaitingOrBlocked()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("t", "u1");
        await kit.Create("r", "u2");
        await kit.Create("b", "u3");
        await kit.Call("kernel", "TransitionState", """{"pid":"b","new_state":"RUNNING"}""");
        await kit.Call("kernel", "TransitionState", """{"pid":"b","new_state":"BLOCKED","reason":"io"}""");

        JsonObject first = await kit.Call("kernel", "TerminateProcess", """{"pid":"t","reason":"done","force":true}""");
        JsonObject second = await kit.Call("kernel", "TerminateProcess", """{"pid":"t"}""");
        KernelException onReady = kit.Fails("kernel", "ResumeProcess", """{"pid":"r"}""");
        JsonObject resumed = await kit.Call("kernel", "ResumeProcess", """{"pid":"b","envelope_update":"not a map"}""");

        Assert.That((S(first["state"]), S(second["state"])), Is.EqualTo(("TERMINATED", "TERMINATED")));
        Assert.That((onReady.Code, onReady.Message), Is.EqualTo((FP, "state transition error: cannot resume pid r: state is Ready, expected Waiting or Blocked")));
        Assert.That(S(resumed["state"]), Is.EqualTo("READY"));
    }

    [Test]
    public async Task Case31_RecordUsage_NegativeValues_InvalidArgumentNothingRecorded()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        kit.AssertFails("kernel", "RecordUsage", """{"pid":"p","llm_calls":-5,"tool_calls":0,"tokens_in":0,"tokens_out":0}""", IA,
            "validation error: llm_calls must be non-negative, got -5");
        kit.AssertFails("kernel", "RecordUsage", """{"pid":"p","llm_calls":1,"tool_calls":1,"tokens_in":-100,"tokens_out":0}""", IA,
            "validation error: tokens_in must be non-negative, got -100");
        kit.AssertFails("kernel", "RecordUsage", """{"pid":"p","tool_calls":2147483648}""", IA,
            "validation error: tool_calls value 2147483648 exceeds i32 range");

        JsonObject usage = await kit.Call("kernel", "RecordUsage", """{"pid":"p"}""");
        Assert.That(s_usageKeys.Select(k => L(usage[k])), Is.All.EqualTo(0));
    }

    [Test]
    public async Task Case32_RecordUsage_UnknownPidBeforeValidation_AgentHopsCounted()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        kit.AssertFails("kernel", "RecordUsage", """{"pid":"ghost","llm_calls":-1}""", NF, "not found: Process ghost not found");
        kit.AssertFails("kernel", "RecordUsage", """{"pid":"ghost","llm_calls":1}""", NF, "not found: Process ghost not found");
        await kit.Call("kernel", "RecordUsage", """{"pid":"p","llm_calls":2,"tokens_in":10,"agent_hops":5}""");
        JsonObject usage = await kit.Call("kernel", "RecordUsage", """{"pid":"p","llm_calls":2,"tokens_in":10,"agent_hops":5,"tool_calls":1.0}""");

        // Ours: agent_hops are recorded (COMPATIBILITY.md Q8); a float reads as absent, as in the reference.
        Assert.That(usage.ToJsonString(), Is.EqualTo("""{"agent_hops":10,"llm_calls":4,"tokens_in":20,"tokens_out":0,"tool_calls":0}"""));
    }

    [Test]
    public async Task Case33_CheckQuota_WithinThenExceeded()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        JsonObject within = await kit.Call("kernel", "CheckQuota", """{"pid":"p"}""");
        await kit.Call("kernel", "RecordUsage", """{"pid":"p","llm_calls":101}""");
        JsonObject exceeded = await kit.Call("kernel", "CheckQuota", """{"pid":"p"}""");

        Assert.That(Keys(within), Is.EqualTo(new[] { "agent_hops", "exceeded_reason", "llm_calls", "tokens_in", "tokens_out", "tool_calls", "within_bounds" }));
        Assert.That((Bool(within["within_bounds"]), S(within["exceeded_reason"])), Is.EqualTo((true, "")));
        Assert.That((Bool(exceeded["within_bounds"]), S(exceeded["exceeded_reason"]), L(exceeded["llm_calls"])),
            Is.EqualTo((false, "quota exceeded: Process p quota exceeded: llm_calls 101 > 100", 101L)));
    }

    [Test]
    public async Task Case34_CheckRateLimit_MessagesDryRunAndRealWindow()
    {
        await using var kit = new DispatchTestKit();
        kit.AssertFails("kernel", "CheckRateLimit", "{}", IA, "validation error: Missing required field: user_id");
        kit.AssertFails("kernel", "CheckRateLimit", """{"user_id":""}""", IA, "validation error: user_id is required");

        JsonObject fresh = await kit.Call("kernel", "CheckRateLimit", """{"user_id":"fresh","record":false}""");
        for (int i = 0; i < 10; i++)
        {
            await kit.Create("u" + i, "u");
        }

        JsonObject denied = await kit.Call("kernel", "CheckRateLimit", """{"user_id":"u","endpoint":"/x"}""");

        Assert.That(Keys(fresh), Is.EqualTo(new[] { "allowed", "current_count", "exceeded", "limit", "limit_type", "reason", "remaining", "retry_after_seconds" }));
        Assert.That((Bool(fresh["allowed"]), L(fresh["current_count"]), Bool(fresh["exceeded"]), S(fresh["limit_type"]), S(fresh["reason"])),
            Is.EqualTo((true, 0L, false, "", "")));
        Assert.That(fresh["retry_after_seconds"]!.GetValue<double>(), Is.EqualTo(0.0));
        Assert.That((Bool(denied["allowed"]), Bool(denied["exceeded"]), S(denied["limit_type"]), L(denied["remaining"]), L(denied["limit"])),
            Is.EqualTo((false, true, "burst", 0L, 10L)));
        Assert.That(S(denied["reason"]), Is.EqualTo("quota exceeded: Burst limit exceeded: 10 requests per 10 seconds"));
        Assert.That(denied["retry_after_seconds"]!.GetValue<double>(), Is.EqualTo(10.0).Within(0.001));
    }

    [Test]
    public async Task CheckRateLimit_RecordNotABool_DefaultsToRecording()
    {
        await using var kit = new DispatchTestKit();

        await kit.Call("kernel", "CheckRateLimit", """{"user_id":"x","record":"no"}""");
        JsonObject dry = await kit.Call("kernel", "CheckRateLimit", """{"user_id":"x","record":false}""");

        Assert.That(L(dry["current_count"]), Is.EqualTo(1));
    }

    [Test]
    public async Task Case35_ListProcesses_Filters()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("pa", "a");
        await kit.Create("pb", "b");

        JsonObject ready = await kit.Call("kernel", "ListProcesses", """{"state":"ready"}""");
        JsonObject byUser = await kit.Call("kernel", "ListProcesses", """{"user_id":"a"}""");
        JsonObject bogus = await kit.Call("kernel", "ListProcesses", """{"state":"bogus"}""");
        JsonObject all = await kit.Call("kernel", "ListProcesses", """{"state":"","user_id":""}""");

        Assert.That(ready["processes"]!.AsArray().Select(p => S(p!["pid"])), Is.EquivalentTo(new[] { "pa", "pb" }));
        Assert.That(byUser["processes"]!.AsArray().Select(p => S(p!["pid"])), Is.EqualTo(new[] { "pa" }));
        Assert.That(bogus["processes"]!.AsArray(), Is.Empty);
        Assert.That(all["processes"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Case36_GetProcessCounts_AllSevenStates()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");

        JsonObject counts = await kit.Call("kernel", "GetProcessCounts");

        Assert.That(Keys(counts["counts_by_state"]), Is.EqualTo(s_stateKeys));
        Assert.That(L(counts["counts_by_state"]!["READY"]), Is.EqualTo(1));
        Assert.That((L(counts["total"]), L(counts["queue_depth"])), Is.EqualTo((1L, 1L)), "ours: queue_depth is the number queued");
    }

    [Test]
    public async Task Case37_SetQuotaDefaults_OnlyGivenPositiveFieldsChange()
    {
        await using var kit = new DispatchTestKit();

        JsonObject set200 = await kit.Call("kernel", "SetQuotaDefaults", """{"quota":{"max_llm_calls":200}}""");
        JsonObject get200 = await kit.Call("kernel", "GetQuotaDefaults");
        await kit.Call("kernel", "SetQuotaDefaults", """{"quota":{"max_tool_calls":77}}""");
        await kit.Call("kernel", "SetQuotaDefaults", """{"quota":{"max_llm_calls":5}}""");
        JsonObject zero = await kit.Call("kernel", "SetQuotaDefaults", """{"quota":{"max_llm_calls":0}}""");
        JsonObject empty = await kit.Call("kernel", "SetQuotaDefaults", """{"quota":"not a map"}""");
        kit.AssertFails("kernel", "SetQuotaDefaults", """{"quota":{"max_tool_calls":1,"max_iterations":-3}}""", IA,
            "validation error: max_iterations must be non-negative, got -3");
        kit.AssertFails("kernel", "SetQuotaDefaults", """{"quota":{"timeout_seconds":4294967296}}""", IA,
            "validation error: timeout_seconds value 4294967296 exceeds i32 range");
        JsonObject after = await kit.Call("kernel", "GetQuotaDefaults");

        Assert.That(Keys(get200), Has.Length.EqualTo(14));
        Assert.That(Keys(get200), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That((L(set200["max_llm_calls"]), L(get200["max_llm_calls"]), L(get200["max_tool_calls"])), Is.EqualTo((200L, 200L, 50L)));
        Assert.That((L(zero["max_llm_calls"]), L(zero["max_tool_calls"])), Is.EqualTo((5L, 77L)), "ours: fields left out are unchanged");
        Assert.That(JsonNode.DeepEquals(zero, empty), Is.True);
        Assert.That(JsonNode.DeepEquals(zero, after), Is.True, "a refused update changes nothing");
    }

    [Test]
    public async Task GetQuotaDefaults_FreshKernel_FactoryValues()
    {
        await using var kit = new DispatchTestKit();

        JsonObject quota = await kit.Call("kernel", "GetQuotaDefaults");

        Assert.That(quota.ToJsonString(), Is.EqualTo(
            """{"max_agent_hops":10,"max_context_tokens":150000,"max_inference_input_chars":500000,"max_inference_requests":50,"max_input_tokens":100000,"max_iterations":20,"max_llm_calls":100,"max_output_tokens":50000,"max_tool_calls":50,"rate_limit_burst":10,"rate_limit_rph":1000,"rate_limit_rpm":60,"soft_timeout_seconds":240,"timeout_seconds":300}"""));
    }

    [Test]
    public async Task Case38_GetSystemStatus_AfterOneCreate()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("status-proc-1", "u");

        JsonObject status = await kit.Call("kernel", "GetSystemStatus", (JsonObject)null!);

        Assert.That(Keys(status), Is.EqualTo(new[] { "commbus", "orchestration", "processes", "services" }));
        Assert.That(Keys(status["commbus"]), Is.EqualTo(new[] { "active_subscribers", "commands_sent", "events_published", "queries_executed" }));
        Assert.That(Keys(status["processes"]!["by_state"]), Is.EqualTo(s_stateKeys));
        Assert.That((L(status["processes"]!["total"]), L(status["processes"]!["by_state"]!["READY"])), Is.EqualTo((1L, 1L)));
        Assert.That(status["services"]!.ToJsonString(), Is.EqualTo("""{"degraded":0,"healthy":0,"unhealthy":0}"""));
        Assert.That(L(status["orchestration"]!["active_sessions"]), Is.EqualTo(0));
    }

    [Test]
    public async Task LenientFields_WrongTypesReadAsAbsent()
    {
        await using var kit = new DispatchTestKit();

        JsonObject p = await kit.Call("kernel", "CreateProcess",
            """{"pid":"p","priority":3,"user_id":5,"request_id":"","session_id":[],"quota":[1]}""");
        JsonObject usage = await kit.Call("kernel", "RecordUsage", """{"pid":"p","llm_calls":"3","tokens_in":18446744073709551615,"tokens_out":null}""");

        Assert.That((S(p["priority"]), S(p["user_id"])), Is.EqualTo(("NORMAL", "anonymous")));
        Assert.That(S(p["request_id"]), Has.Length.EqualTo(36));
        Assert.That(usage.ToJsonString(), Is.EqualTo("""{"agent_hops":0,"llm_calls":0,"tokens_in":0,"tokens_out":0,"tool_calls":0}"""));
    }
}
