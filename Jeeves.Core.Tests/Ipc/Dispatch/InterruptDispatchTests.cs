using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using static Jeeves.Tests.Ipc.Dispatch.JsonAssert;

namespace Jeeves.Tests.Ipc.Dispatch;

/// <summary>The <c>interrupt</c> service over the method table: ipc.md §6.4 and §9.5, in our semantics where COMPATIBILITY.md differs.</summary>
public sealed partial class InterruptDispatchTests
{
    private const KernelErrorCode IA = KernelErrorCode.InvalidArgument;

    private const string Clarify = """{"kind":"clarification","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e","question":"Which DB?"}""";

    [Test]
    public async Task Case54_CreateInterrupt_FlatMapAndInputChecks()
    {
        await using var kit = new DispatchTestKit();

        JsonObject created = await kit.Call("interrupt", "CreateInterrupt", Clarify);
        kit.AssertFails("interrupt", "CreateInterrupt", Clarify.Replace("\"clarification\"", "\"Clarification\"", StringComparison.Ordinal), IA,
            "validation error: Invalid interrupt kind: Clarification");
        kit.AssertFails("interrupt", "CreateInterrupt", """{"kind":"clarification","request_id":"r","user_id":"u","session_id":"s"}""", IA,
            "validation error: Missing required field: envelope_id");
        kit.AssertFails("interrupt", "CreateInterrupt", """{"request_id":"r"}""", IA, "validation error: Missing required field: kind");

        Assert.That(Keys(created), Is.EqualTo(new[]
        {
            "created_at", "data", "envelope_id", "expires_at", "id", "kind", "question", "request_id", "resolved_at", "session_id", "status", "user_id",
        }));
        Assert.That(S(created["id"]), Does.Match(InterruptId()));
        Assert.That((S(created["status"]), S(created["kind"]), S(created["question"])), Is.EqualTo(("pending", "clarification", "Which DB?")));
        Assert.That(created["data"]!.ToJsonString(), Is.EqualTo("{}"));
        Assert.That(created.ContainsKey("resolved_at") && created["resolved_at"] is null, Is.True);
        Assert.That(S(created["created_at"]), Is.EqualTo("2026-01-01T00:00:00Z"));
        Assert.That(S(created["expires_at"]), Is.EqualTo("2026-01-02T00:00:00Z"), "24 h for clarification");
    }

    [Test]
    public async Task CreateInterrupt_Checkpoint_NoExpiryKeyAndDataCopied()
    {
        await using var kit = new DispatchTestKit();

        JsonObject created = await kit.Call("interrupt", "CreateInterrupt",
            """{"kind":"checkpoint","request_id":"","user_id":"","session_id":"","envelope_id":"","message":"m","data":{"b":1,"a":[true,1.5]}}""");

        Assert.That(created.ContainsKey("expires_at"), Is.False);
        Assert.That(created.ContainsKey("question"), Is.False);
        Assert.That(S(created["message"]), Is.EqualTo("m"));
        Assert.That(created["data"]!.ToJsonString(), Is.EqualTo("""{"a":[true,1.5],"b":1}"""));
    }

    [Test]
    public async Task Case55_ResolveInterrupt_OwnerOnlyOnceServerStampsReceivedAt()
    {
        await using var kit = new DispatchTestKit();
        string id = S((await kit.Call("interrupt", "CreateInterrupt", Clarify))["id"]);
        kit.Time.Advance(TimeSpan.FromSeconds(5));

        JsonObject other = await kit.Call("interrupt", "ResolveInterrupt",
            $$$"""{"interrupt_id":"{{{id}}}","user_id":"other","response":{"text":"pg","received_at":"2024-01-01T00:00:00Z"}}""");
        // Ours: received_at is optional (COMPATIBILITY.md Q15).
        JsonObject owner = await kit.Call("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}","user_id":"u","response":{"text":"pg"}}""");
        JsonObject again = await kit.Call("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}","user_id":"u","response":{"text":"pg"}}""");
        JsonObject unknown = await kit.Call("interrupt", "ResolveInterrupt", """{"interrupt_id":"int_0000000000000000","response":{"text":"x"}}""");
        JsonObject resolved = await kit.Call("interrupt", "GetInterrupt", $$$"""{"interrupt_id":"{{{id}}}"}""");

        Assert.That(new[] { other, owner, again, unknown }.Select(r => Bool(r["success"])), Is.EqualTo(new[] { false, true, false, false }));
        Assert.That(S(resolved["status"]), Is.EqualTo("resolved"));
        Assert.That(S(resolved["resolved_at"]), Is.EqualTo("2026-01-01T00:00:05Z"));
        Assert.That(resolved["response"]!.ToJsonString(), Is.EqualTo("""{"received_at":"2026-01-01T00:00:05Z","text":"pg"}"""));
    }

    [Test]
    public async Task ResolveInterrupt_BadResponse_InvalidArgumentBeforeLookupAndStillPending()
    {
        await using var kit = new DispatchTestKit();
        string id = S((await kit.Call("interrupt", "CreateInterrupt", Clarify))["id"]);

        kit.AssertFails("interrupt", "ResolveInterrupt", """{"interrupt_id":"nope","response":"yes"}""", IA,
            "validation error: Invalid response: invalid type: string \"yes\", expected struct InterruptResponse");
        kit.AssertFails("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}","response":{"approved":"yes"}}""", IA,
            "validation error: Invalid response: invalid type: string \"yes\", expected a boolean");
        kit.AssertFails("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}","response":{"text":"a","received_at":"2024-01-01T00:00:00"}}""", IA,
            "validation error: Invalid response: invalid timestamp '2024-01-01T00:00:00' (RFC 3339 with an offset expected)");
        kit.AssertFails("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}","response":{"text":5}}""", IA,
            "validation error: Invalid response: invalid type: integer `5`, expected a string");
        kit.AssertFails("interrupt", "ResolveInterrupt", """{"response":{}}""", IA, "validation error: Missing required field: interrupt_id");
        KernelException empty = kit.Fails("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{id}}}"}""");

        Assert.That(empty.Code, Is.EqualTo(IA), "ours: a clarification needs an answer (COMPATIBILITY.md Q14)");
        Assert.That(S((await kit.Call("interrupt", "GetInterrupt", $$$"""{"interrupt_id":"{{{id}}}"}"""))["status"]), Is.EqualTo("pending"));
    }

    [Test]
    public async Task ResolveInterrupt_ApprovalWithData_StoredAsSent()
    {
        await using var kit = new DispatchTestKit();
        string id = S((await kit.Call("interrupt", "CreateInterrupt",
            """{"kind":"confirmation","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e"}"""))["id"]);

        await kit.Call("interrupt", "ResolveInterrupt", $$$$"""{"interrupt_id":"{{{{id}}}}","response":{"approved":true,"decision":"go","data":{"k":[1]}}}""");
        JsonObject got = await kit.Call("interrupt", "GetInterrupt", $$$"""{"interrupt_id":"{{{id}}}"}""");

        Assert.That(got["response"]!.ToJsonString(), Is.EqualTo("""{"approved":true,"data":{"k":[1]},"decision":"go","received_at":"2026-01-01T00:00:00Z"}"""));
    }

    [Test]
    public async Task Case56_Cancel_PendingFilter_AndUnknownInterrupt()
    {
        await using var kit = new DispatchTestKit();
        string clarification = S((await kit.Call("interrupt", "CreateInterrupt", Clarify))["id"]);
        string confirmation = S((await kit.Call("interrupt", "CreateInterrupt",
            """{"kind":"confirmation","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e"}"""))["id"]);

        JsonObject cancel = await kit.Call("interrupt", "CancelInterrupt", $$$"""{"interrupt_id":"{{{confirmation}}}","reason":"user aborted"}""");
        JsonObject cancelAgain = await kit.Call("interrupt", "CancelInterrupt", $$$"""{"interrupt_id":"{{{confirmation}}}"}""");
        JsonObject all = await kit.Call("interrupt", "GetPendingForSession", """{"session_id":"s","kinds":"not an array"}""");
        JsonObject confirmations = await kit.Call("interrupt", "GetPendingForSession", """{"session_id":"s","kinds":["confirmation"]}""");
        JsonObject bogus = await kit.Call("interrupt", "GetPendingForSession", """{"session_id":"s","kinds":["bogus",3]}""");
        JsonObject clarifications = await kit.Call("interrupt", "GetPendingForSession", """{"session_id":"s","kinds":["clarification","bogus"]}""");
        JsonObject cancelled = await kit.Call("interrupt", "GetInterrupt", $$$"""{"interrupt_id":"{{{confirmation}}}"}""");

        Assert.That((Bool(cancel["success"]), Bool(cancelAgain["success"])), Is.EqualTo((true, false)));
        Assert.That(all["interrupts"]!.AsArray().Select(i => S(i!["id"])), Is.EqualTo(new[] { clarification }));
        Assert.That(confirmations["interrupts"]!.AsArray(), Is.Empty);
        Assert.That(bogus["interrupts"]!.AsArray(), Is.Empty);
        Assert.That(clarifications["interrupts"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((S(cancelled["status"]), S(cancelled["data"]!["cancel_reason"])), Is.EqualTo(("cancelled", "user aborted")));
        kit.AssertFails("interrupt", "GetInterrupt", """{"interrupt_id":"int_missing"}""", KernelErrorCode.NotFound, "not found: Interrupt int_missing not found");
        kit.AssertFails("interrupt", "GetPendingForSession", "{}", IA, "validation error: Missing required field: session_id");
        kit.AssertFails("interrupt", "CancelInterrupt", """{"interrupt_id":null}""", IA, "validation error: Missing required field: interrupt_id");
    }

    [Test]
    public async Task CreateInterrupt_WithProcessId_RunningProcessWaitsAndResolveResumes()
    {
        await using var kit = new DispatchTestKit();
        await kit.Create("p", "u");
        await kit.Call("kernel", "TransitionState", """{"pid":"p","new_state":"RUNNING"}""");

        JsonObject created = await kit.Call("interrupt", "CreateInterrupt",
            """{"kind":"confirmation","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e","process_id":"p"}""");
        string waiting = S((await kit.Call("kernel", "GetProcess", """{"pid":"p"}"""))["state"]);
        await kit.Call("interrupt", "ResolveInterrupt", $$$"""{"interrupt_id":"{{{S(created["id"])}}}","user_id":"u","response":{"approved":true}}""");
        string resumed = S((await kit.Call("kernel", "GetProcess", """{"pid":"p"}"""))["state"]);

        Assert.That(S(created["process_id"]), Is.EqualTo("p"));
        Assert.That((waiting, resumed), Is.EqualTo(("WAITING", "READY")));
        kit.AssertFails("interrupt", "CreateInterrupt",
            """{"kind":"confirmation","request_id":"r","user_id":"u","session_id":"s","envelope_id":"e","process_id":"ghost"}""",
            KernelErrorCode.NotFound, "not found: Process ghost not found");
    }

    [GeneratedRegex("^int_[0-9a-f]{16}$")]
    private static partial Regex InterruptId();
}
