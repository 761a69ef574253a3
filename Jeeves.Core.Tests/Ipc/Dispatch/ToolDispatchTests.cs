using System.Text.Json.Nodes;
using static Jeeves.Tests.Ipc.Dispatch.JsonAssert;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The <c>tools</c> service over the method table: ipc.md §6.5 and §9.5, in our semantics where COMPATIBILITY.md differs.</summary>
public sealed class ToolDispatchTests
{
    private const KernelErrorCode IA = KernelErrorCode.InvalidArgument;

    private const string SearchWeb =
        """{"id":"search_web","description":"Search the web for information","parameters":[{"name":"query","param_type":"string","description":"Search query"},{"name":"max_results","param_type":{"optional":"int"},"description":"Maximum results","default":10}],"category":"read","risk_semantic":"read_only","risk_severity":"low"}""";

    [Test]
    public async Task Case57_RegisterTool_ThenPromptAndEntryRoundTrip()
    {
        await using var kit = new DispatchTestKit();

        JsonObject registered = await kit.Call("tools", "RegisterTool", SearchWeb);
        JsonObject prompt = await kit.Call("tools", "GenerateToolPrompt");
        JsonObject entry = await kit.Call("tools", "GetToolEntry", """{"tool_id":"search_web"}""");
        JsonObject list = await kit.Call("tools", "ListTools");

        Assert.That(Bool(registered["registered"]), Is.True);
        Assert.That(S(prompt["prompt"]), Is.EqualTo("Available tools:\n- search_web(query: string, max_results?: integer?): Search the web for information"));
        Assert.That(entry.ToJsonString(), Is.EqualTo(
            """{"category":"read","description":"Search the web for information","id":"search_web","parameters":[{"description":"Search query","name":"query","param_type":"string"},{"default":10,"description":"Maximum results","name":"max_results","param_type":{"optional":"int"}}],"risk_semantic":"read_only","risk_severity":"low"}"""));
        Assert.That((L(list["count"]), list["tools"]!.AsArray().Count), Is.EqualTo((1L, 1)));
    }

    [Test]
    public async Task RegisterTool_ExistingIdOverTheWire_Replaced()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("tools", "RegisterTool", SearchWeb);

        JsonObject again = await kit.Call("tools", "RegisterTool", SearchWeb.Replace("Search the web for information", "Other", StringComparison.Ordinal));
        JsonObject entry = await kit.Call("tools", "GetToolEntry", """{"tool_id":"search_web"}""");

        Assert.That(Bool(again["registered"]), Is.True);
        Assert.That(S(entry["description"]), Is.EqualTo("Other"));
    }

    [Test]
    public async Task Case58_ValidateFillDefaultsAndErrors()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("tools", "RegisterTool", SearchWeb);

        JsonObject none = await kit.Call("tools", "ValidateToolParams", """{"tool_id":"search_web","params":{}}""");
        JsonObject wrongType = await kit.Call("tools", "ValidateToolParams", """{"tool_id":"search_web","params":{"query":5}}""");
        JsonObject unknown = await kit.Call("tools", "ValidateToolParams", """{"tool_id":"search_web","params":{"query":"x","foo":1}}""");
        JsonObject absent = await kit.Call("tools", "ValidateToolParams", """{"tool_id":"search_web"}""");
        JsonObject filled = await kit.Call("tools", "FillDefaults", """{"tool_id":"search_web","params":{"query":"x"}}""");
        JsonObject notAMap = await kit.Call("tools", "FillDefaults", """{"tool_id":"search_web","params":[1]}""");

        Assert.That(none.ToJsonString(), Is.EqualTo("""{"errors":["Missing required parameter: query"],"valid":false}"""));
        Assert.That(wrongType["errors"]!.AsArray().Select(e => S(e)), Is.EqualTo(new[] { "Parameter 'query': expected string, got number" }));
        Assert.That(unknown["errors"]!.ToJsonString(), Is.EqualTo("""["Unknown parameter: foo"]"""));
        Assert.That(Bool(absent["valid"]), Is.False);
        Assert.That(filled.ToJsonString(), Is.EqualTo("""{"params":{"max_results":10,"query":"x"}}"""));
        Assert.That(notAMap.ToJsonString(), Is.EqualTo("""{"params":[1]}"""));
        kit.AssertFails("tools", "GetToolEntry", """{"tool_id":"nope"}""", KernelErrorCode.NotFound, "not found: Unknown tool: nope");
        kit.AssertFails("tools", "ValidateToolParams", """{"tool_id":"search_web","params":"x"}""", IA, "validation error: Parameters must be a JSON object");
        Assert.That(kit.Fails("tools", "FillDefaults", """{"tool_id":"nope"}""").Code, Is.EqualTo(KernelErrorCode.NotFound));
        Assert.That(kit.Fails("tools", "ValidateToolParams", """{"tool_id":"nope"}""").Code, Is.EqualTo(KernelErrorCode.NotFound));
        kit.AssertFails("tools", "RegisterTool", SearchWeb.Replace("\"search_web\"", "\"\"", StringComparison.Ordinal), IA, "validation error: Tool id cannot be empty");
    }

    [TestCase("""{"id":"t","description":"d","parameters":[],"risk_semantic":"read_only","risk_severity":"low"}""", "missing field `category`")]
    [TestCase("""{"id":"t","description":"d","parameters":[],"category":"Read","risk_semantic":"read_only","risk_severity":"low"}""",
        "unknown variant `Read`, expected one of `read`, `write`, `execute`, `network`, `system`, `unified`, `composite`, `resilient`, `standalone`, `internal`")]
    [TestCase("""{"id":null,"description":"d","parameters":[],"category":"read","risk_semantic":"read_only","risk_severity":"low"}""", "invalid type: null, expected a value")]
    [TestCase("""{"id":"t","description":"d","parameters":{},"category":"read","risk_semantic":"read_only","risk_severity":"low"}""", "invalid type: map, expected a sequence")]
    [TestCase("""{"id":"t","description":"d","parameters":[{"name":"p","description":"","param_type":"integer"}],"category":"read","risk_semantic":"read_only","risk_severity":"low"}""",
        "unknown variant `integer`, expected one of `string`, `int`, `float`, `bool`, `string_list`, `enum`, `optional`")]
    [TestCase("""{"id":"t","description":"d","parameters":[{"name":"p","description":"","param_type":{"enum":["a",1]}}],"category":"read","risk_semantic":"read_only","risk_severity":"low"}""",
        "invalid type: integer `1`, expected a string")]
    [TestCase("""{"id":"t","description":"d","parameters":[{"name":"p","param_type":"int"}],"category":"read","risk_semantic":"read_only","risk_severity":"low"}""", "missing field `description`")]
    public async Task RegisterTool_MalformedEntry_InvalidToolEntryAndCatalogUnchanged(string body, string detail)
    {
        await using var kit = new DispatchTestKit();
        JsonNode before = await kit.Snapshot();

        kit.AssertFails("tools", "RegisterTool", body, IA, "validation error: Invalid tool entry: " + detail);

        Assert.That(JsonNode.DeepEquals(before, await kit.Snapshot()), Is.True);
    }

    [Test]
    public async Task RegisterTool_EnumAndNestedOptional_RoundTripAndPrompt()
    {
        await using var kit = new DispatchTestKit();
        await kit.Call("tools", "RegisterTool",
            """{"id":"t","description":"d","parameters":[{"name":"mode","param_type":{"enum":["a","b"]},"description":""},{"name":"tags","param_type":{"optional":"string_list"},"description":"","default":null}],"category":"system","risk_semantic":"destructive","risk_severity":"critical"}""");

        JsonObject entry = await kit.Call("tools", "GetToolEntry", """{"tool_id":"t"}""");
        JsonObject prompt = await kit.Call("tools", "GenerateToolPrompt", """{"allowed_tools":["missing","t",3]}""");

        Assert.That(entry["parameters"]!.ToJsonString(), Is.EqualTo(
            """[{"description":"","name":"mode","param_type":{"enum":["a","b"]}},{"description":"","name":"tags","param_type":{"optional":"string_list"}}]"""));
        Assert.That(S(prompt["prompt"]), Is.EqualTo("Available tools:\n- t(mode: enum(a|b), tags?: string[]?): d"));
        Assert.That(S((await kit.Call("tools", "GenerateToolPrompt", """{"allowed_tools":[]}"""))["prompt"]), Is.EqualTo(""));
    }

    [Test]
    public async Task Access_GrantRevokeCheckAndList()
    {
        await using var kit = new DispatchTestKit();

        JsonObject granted = await kit.Call("tools", "GrantToolAccess", """{"agent_name":"a","tool_ids":["z","b",1,"b"]}""");
        JsonObject allowed = await kit.Call("tools", "CheckToolAccess", """{"agent_name":"a","tool_id":"z"}""");
        JsonObject revoked = await kit.Call("tools", "RevokeToolAccess", """{"agent_name":"a","tool_id":"z"}""");
        JsonObject revokedNothing = await kit.Call("tools", "RevokeToolAccess", """{"agent_name":"nobody","tool_id":"z"}""");
        JsonObject denied = await kit.Call("tools", "CheckToolAccess", """{"agent_name":"a","tool_id":"z"}""");
        JsonObject tools = await kit.Call("tools", "GetAgentTools", """{"agent_name":"a"}""");
        JsonObject empty = await kit.Call("tools", "GrantToolAccess", """{"agent_name":"e","tool_ids":"x"}""");

        Assert.That(granted.ToJsonString(), Is.EqualTo("""{"agent_name":"a","granted":true,"tool_count":3}"""));
        Assert.That((Bool(allowed["allowed"]), Bool(revoked["revoked"]), Bool(revokedNothing["revoked"]), Bool(denied["allowed"])), Is.EqualTo((true, true, true, false)));
        Assert.That(tools.ToJsonString(), Is.EqualTo("""{"agent_name":"a","tool_ids":["b"]}"""));
        Assert.That(L(empty["tool_count"]), Is.EqualTo(0));
        kit.AssertFails("tools", "GrantToolAccess", "{}", IA, "validation error: Missing required field: agent_name");
        kit.AssertFails("tools", "RevokeToolAccess", """{"agent_name":"a"}""", IA, "validation error: Missing required field: tool_id");
        kit.AssertFails("tools", "CheckToolAccess", """{"tool_id":"a"}""", IA, "validation error: Missing required field: agent_name");
        kit.AssertFails("tools", "GetAgentTools", """{"agent_name":1}""", IA, "validation error: Missing required field: agent_name");
    }

    [Test]
    public async Task Case59_Health_UnknownThenUnhealthyWithOpenCircuit()
    {
        await using var kit = new DispatchTestKit();

        JsonObject before = await kit.Call("tools", "CheckToolHealth", """{"tool_name":"t"}""");
        for (int i = 0; i < 5; i++)
        {
            await kit.Call("tools", "RecordToolExecution", """{"tool_name":"t","success":false,"latency_ms":10,"error_type":"io"}""");
        }

        JsonObject after = await kit.Call("tools", "CheckToolHealth", """{"tool_name":"t"}""");
        JsonObject breaker = await kit.Call("tools", "ShouldCircuitBreak", """{"tool_name":"t"}""");
        JsonObject patterns = await kit.Call("tools", "GetErrorPatterns", """{"tool_name":"t"}""");
        JsonObject system = await kit.Call("tools", "GetSystemToolHealth");

        Assert.That(Keys(before), Is.EqualTo(new[] { "avg_latency_ms", "circuit_broken", "issues", "recent_errors", "status", "success_rate", "tool_name", "total_calls" }));
        Assert.That((S(before["status"]), before["issues"]!.ToJsonString(), Bool(before["circuit_broken"])), Is.EqualTo(("unknown", """["No execution history"]""", false)));
        Assert.That(before["success_rate"]!.GetValue<double>(), Is.EqualTo(0.0));
        Assert.That((S(after["status"]), Bool(after["circuit_broken"]), L(after["recent_errors"]), L(after["total_calls"])), Is.EqualTo(("unhealthy", true, 5L, 5L)));
        Assert.That(Bool(breaker["circuit_broken"]), Is.True);
        Assert.That(patterns.ToJsonString(), Is.EqualTo("""{"patterns":[{"count":5,"error_type":"io"}],"tool_name":"t"}"""));
        Assert.That(S(system["status"]), Is.EqualTo("unhealthy"));
        Assert.That(system["summary"]!.ToJsonString(), Is.EqualTo("""{"degraded":0,"healthy":0,"unhealthy":1,"unknown":0}"""));
        Assert.That(system["tool_reports"]!.AsArray().Select(r => S(r!["tool_name"])), Is.EqualTo(new[] { "t" }));
    }

    [Test]
    public async Task RecordToolExecution_Defaults_AndRefusals()
    {
        await using var kit = new DispatchTestKit();

        await kit.Call("tools", "RecordToolExecution", """{"tool_name":"t","success":"yes","latency_ms":2.5}""");
        kit.AssertFails("tools", "RecordToolExecution", """{"tool_name":"t","latency_ms":-5}""", IA, "validation error: latency_ms must be non-negative, got -5");
        kit.AssertFails("tools", "RecordToolExecution", """{"tool_name":""}""", IA, "validation error: Missing required field: tool_name");
        kit.AssertFails("tools", "RecordToolExecution", """{"latency_ms":1}""", IA, "validation error: Missing required field: tool_name");
        JsonObject report = await kit.Call("tools", "CheckToolHealth", """{"tool_name":"t"}""");

        Assert.That((L(report["total_calls"]), report["avg_latency_ms"]!.GetValue<double>(), L(report["recent_errors"])), Is.EqualTo((1L, 0.0, 0L)));
        Assert.That(report["issues"]!.ToJsonString(), Is.EqualTo("""["Insufficient data (1/5)"]"""));
        kit.AssertFails("tools", "CheckToolHealth", "{}", IA, "validation error: Missing required field: tool_name");
        kit.AssertFails("tools", "ShouldCircuitBreak", "{}", IA, "validation error: Missing required field: tool_name");
        kit.AssertFails("tools", "GetErrorPatterns", "{}", IA, "validation error: Missing required field: tool_name");
    }
}
