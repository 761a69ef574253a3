using System.Text.Json.Nodes;
using Jeeves.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Jeeves.Tests.Gateway;

/// <summary>Diagnostics, sessions, governance and interrupt endpoints on a real Kestrel server.</summary>
public sealed class GatewayEndpointTests
{
    private static readonly string LongUser = new('u', 256);

    [Test]
    public async Task Health_AlwaysHealthyEvenWithoutServices()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(configure: b =>
        {
            b.Services.RemoveAll<GatewayChatService>();
            b.Services.RemoveAll<GatewayInterruptService>();
        });

        JsonObject health = await host.GetJsonAsync("/health");
        (int status, JsonNode? ready) = await host.SendAsync(HttpMethod.Get, "/ready");

        Assert.That(health.ToJsonString(), Is.EqualTo("{\"status\":\"healthy\",\"service\":\"jeeves-gateway\"}"));
        Assert.That(status, Is.EqualTo(503));
        Assert.That(ready!.ToJsonString(), Is.EqualTo("{\"status\":\"not_ready\",\"flow_service\":\"not_initialized\",\"interrupt_service\":\"not_initialized\"}"));
    }

    [Test]
    public async Task Ready_AllWired_ReadyAndIndexAndPage()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        JsonObject ready = await host.GetJsonAsync("/ready");
        JsonObject index = await host.GetJsonAsync("/");
        using var htmlRequest = new HttpRequestMessage(HttpMethod.Get, "/");
        htmlRequest.Headers.Accept.ParseAdd("text/html");
        using HttpResponseMessage page = await host.Client.SendAsync(htmlRequest);

        Assert.That(ready.ToJsonString(), Is.EqualTo("{\"status\":\"ready\",\"flow_service\":\"initialized\",\"interrupt_service\":\"initialized\"}"));
        Assert.That(index["service"]!.GetValue<string>(), Is.EqualTo("Jeeves Gateway"));
        Assert.That(index["version"]!.GetValue<string>(), Is.EqualTo("4.0.0"));
        Assert.That(index["api"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "chat", "governance", "interrupts" }));
        Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<title>Jeeves chat</title>"));
    }

    [Test]
    public async Task Sessions_CreateListGetMessagesDelete()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int created, JsonNode? session) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions?user_id=query-user", new { user_id = "alice", title = "Trip" });
        string id = session!["session_id"]!.GetValue<string>();
        JsonObject list = await host.GetJsonAsync("/api/v1/chat/sessions?user_id=alice&limit=10&offset=0");
        JsonObject got = await host.GetJsonAsync($"/api/v1/chat/sessions/{id}?user_id=alice");
        JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{id}/messages?user_id=alice");
        (int otherGet, JsonNode? otherBody) = await host.SendAsync(HttpMethod.Get, $"/api/v1/chat/sessions/{id}?user_id=bob");
        (int deleted, JsonNode? deleteBody) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/chat/sessions/{id}?user_id=alice");
        (int deletedAgain, _) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/chat/sessions/{id}?user_id=alice");
        JsonObject withDeleted = await host.GetJsonAsync("/api/v1/chat/sessions?user_id=alice&include_deleted=true");

        Assert.That(created, Is.EqualTo(200));
        Assert.That(session["user_id"]!.GetValue<string>(), Is.EqualTo("alice"), "the body's user_id overrides the query's");
        Assert.That(session["title"]!.GetValue<string>(), Is.EqualTo("Trip"));
        Assert.That(session["message_count"]!.GetValue<int>(), Is.Zero);
        Assert.That(session["status"]!.GetValue<string>(), Is.EqualTo("active"));
        Assert.That(session["created_at"]!.GetValue<string>(), Does.EndWith("Z"));
        Assert.That(session.AsObject().ContainsKey("last_activity") && session["last_activity"] is null, Is.True);
        Assert.That(list["total"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(list["sessions"]![0]!["session_id"]!.GetValue<string>(), Is.EqualTo(id));
        Assert.That(got["session_id"]!.GetValue<string>(), Is.EqualTo(id));
        Assert.That(messages.ToJsonString(), Is.EqualTo("{\"messages\":[],\"total\":0}"));
        Assert.That((otherGet, otherBody!["detail"]!.GetValue<string>()), Is.EqualTo((404, "Session not found")));
        Assert.That((deleted, deleteBody), Is.EqualTo((204, (JsonNode?)null)));
        Assert.That(deletedAgain, Is.EqualTo(404));
        Assert.That(withDeleted["sessions"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("deleted"));
    }

    [Test]
    public async Task Sessions_Create_NoUser_400_BadBody_422()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int noUser, JsonNode? noUserBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions", new { title = "x" });
        (int notObject, JsonNode? notObjectBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions?user_id=a", new StringContent("[1]", System.Text.Encoding.UTF8, "application/json"));
        (int broken, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions?user_id=a", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));

        Assert.That((noUser, noUserBody!["detail"]!.GetValue<string>()), Is.EqualTo((400, "user_id is required")));
        Assert.That(notObject, Is.EqualTo(422));
        Assert.That(notObjectBody!["detail"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("dict_type"));
        Assert.That(broken, Is.EqualTo(422));
    }

    [TestCase("/api/v1/chat/sessions", "user_id", "missing")]
    [TestCase("/api/v1/chat/sessions?user_id=", "user_id", "string_too_short")]
    [TestCase("/api/v1/chat/sessions?user_id=LONG", "user_id", "string_too_long")]
    [TestCase("/api/v1/chat/sessions?user_id=a&limit=0", "limit", "greater_than_equal")]
    [TestCase("/api/v1/chat/sessions?user_id=a&limit=201", "limit", "less_than_equal")]
    [TestCase("/api/v1/chat/sessions?user_id=a&limit=ten", "limit", "int_parsing")]
    [TestCase("/api/v1/chat/sessions?user_id=a&offset=-1", "offset", "greater_than_equal")]
    [TestCase("/api/v1/chat/sessions/s/messages?user_id=a&limit=501", "limit", "less_than_equal")]
    [TestCase("/api/v1/chat/sessions/s?", "user_id", "missing")]
    [TestCase("/api/v1/interrupts/?user_id=a&limit=0", "limit", "greater_than_equal")]
    [TestCase("/api/v1/interrupts/int_1?", "user_id", "missing")]
    public async Task QueryValidation_OutOfRange_422WithDetailArray(string url, string field, string type)
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int status, JsonNode? body) = await host.SendAsync(HttpMethod.Get, url.Replace("LONG", LongUser, StringComparison.Ordinal));

        Assert.That(status, Is.EqualTo(422));
        JsonNode problem = body!["detail"]![0]!;
        Assert.That(problem["loc"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "query", field }));
        Assert.That(problem["type"]!.GetValue<string>(), Is.EqualTo(type));
        Assert.That(problem["msg"]!.GetValue<string>(), Is.Not.Empty);
    }

    [Test]
    public async Task MissingServices_503WithTheGroupsDetail()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(configure: b =>
        {
            b.Services.RemoveAll<ISessionStore>();
            b.Services.RemoveAll<GatewayChatService>();
            b.Services.RemoveAll<GatewayGovernanceService>();
            b.Services.RemoveAll<GatewayInterruptService>();
        });

        (int sessions, JsonNode? sessionsBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/chat/sessions?user_id=a");
        (int create, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/sessions", new { });
        (int chat, JsonNode? chatBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = "hi" });
        (int stream, JsonNode? streamBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/chat/stream?user_id=a&message=hi");
        (int governance, JsonNode? governanceBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/governance/health");
        (int interrupts, JsonNode? interruptsBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/interrupts/");
        (int chatInvalid, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages", new { message = "hi" });

        Assert.That((sessions, sessionsBody!["detail"]!.GetValue<string>()), Is.EqualTo((503, "Session service not configured")));
        Assert.That(create, Is.EqualTo(503), "the session service check comes first on create");
        Assert.That((chat, chatBody!["detail"]!.GetValue<string>()), Is.EqualTo((503, "Flow service not configured")));
        Assert.That((stream, streamBody!["detail"]!.GetValue<string>()), Is.EqualTo((503, "Flow service not configured")));
        Assert.That((governance, governanceBody!["detail"]!.GetValue<string>()), Is.EqualTo((503, "Health service not configured")));
        Assert.That((interrupts, interruptsBody!["detail"]!.GetValue<string>()), Is.EqualTo((503, "Interrupt service not configured")), "503 wins over validation for interrupts");
        Assert.That(chatInvalid, Is.EqualTo(422), "validation wins over 503 for chat");
    }

    [Test]
    public async Task Governance_HealthToolAndDashboard()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        IKernelClient kernel = host.Services.GetRequiredService<IKernelClient>();
        for (int i = 0; i < 6; i++)
        {
            await kernel.Tools.RecordToolExecutionAsync("search", success: true, TimeSpan.FromMilliseconds(12));
        }

        JsonObject health = await host.GetJsonAsync("/api/v1/governance/health");
        JsonObject tool = await host.GetJsonAsync("/api/v1/governance/tools/search");
        (int missing, JsonNode? missingBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/governance/tools/nope");
        JsonObject dashboard = await host.GetJsonAsync("/api/v1/governance/dashboard");

        Assert.That(health["overall_status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That(health["total_tools"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(health["tools"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "tool_name", "status", "success_rate", "last_used" }));
        Assert.That(tool["total_calls"]!.GetValue<int>(), Is.EqualTo(6));
        Assert.That(tool["successful_calls"]!.GetValue<int>(), Is.EqualTo(6));
        Assert.That(tool["status"]!.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That((missing, missingBody!["detail"]!.GetValue<string>()), Is.EqualTo((404, "Tool not found: nope")));
        Assert.That(dashboard["agents"]!.AsArray().Select(a => a!["name"]!.GetValue<string>()), Is.EquivalentTo(new[] { "understand", "think_knowledge", "think_tools", "respond" }));
        Assert.That(dashboard["config"]!["llm_provider"]!.GetValue<string>(), Is.EqualTo("mock"));
        Assert.That(dashboard["memory_layers"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("sessions"));
    }

    [Test]
    public async Task Interrupts_OwnershipStatusAndValidation()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        IKernelClient kernel = host.Services.GetRequiredService<IKernelClient>();
        KernelInterrupt clarification = await kernel.Interrupts.CreateAsync(new CreateInterruptRequest { Kind = InterruptKind.Clarification, UserId = "alice", SessionId = "s1", Question = "Which?" });
        KernelInterrupt confirmation = await kernel.Interrupts.CreateAsync(new CreateInterruptRequest { Kind = InterruptKind.Confirmation, UserId = "alice", SessionId = "s1", Message = "Sure?" });
        string c = clarification.Id;

        JsonObject list = await host.GetJsonAsync("/api/v1/interrupts?user_id=alice&session_id=s1");
        JsonObject noSession = await host.GetJsonAsync("/api/v1/interrupts/?user_id=alice&kind=bogus");
        (int badKind, JsonNode? badKindBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/interrupts/?user_id=alice&session_id=s1&kind=bogus");
        JsonObject got = await host.GetJsonAsync($"/api/v1/interrupts/{c}?user_id=alice");
        (int unknown, JsonNode? unknownBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/interrupts/int_0000000000000000?user_id=alice");
        (int foreign, JsonNode? foreignBody) = await host.SendAsync(HttpMethod.Get, $"/api/v1/interrupts/{c}?user_id=bob");
        (int noText, JsonNode? noTextBody) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{c}/respond?user_id=alice", new { approved = true });
        (int tooLong, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{c}/respond?user_id=alice", new { text = new string('x', 10_001) });
        (int foreignRespond, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{c}/respond?user_id=bob", new { text = "x" });
        (int responded, JsonNode? respondBody) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{c}/respond?user_id=alice", new { text = "This one", data = new { k = 1 } });
        (int again, JsonNode? againBody) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{c}/respond?user_id=alice", new { text = "again" });
        (int noApproved, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{confirmation.Id}/respond?user_id=alice", new { text = "x" });
        (int foreignCancel, _) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/interrupts/{confirmation.Id}?user_id=bob");
        (int cancelled, _) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/interrupts/{confirmation.Id}?user_id=alice&reason=later");
        (int cancelledAgain, JsonNode? cancelledAgainBody) = await host.SendAsync(HttpMethod.Delete, $"/api/v1/interrupts/{confirmation.Id}?user_id=alice");

        Assert.That(list["total"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(list["interrupts"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[]
        {
            "id", "kind", "request_id", "user_id", "session_id", "envelope_id", "question", "message", "data", "status", "created_at", "expires_at", "resolved_at",
        }));
        Assert.That(noSession.ToJsonString(), Is.EqualTo("{\"interrupts\":[],\"total\":0}"));
        Assert.That((badKind, badKindBody!["detail"]!.GetValue<string>()), Is.EqualTo((400, "Invalid interrupt kind: bogus")));
        Assert.That(got["question"]!.GetValue<string>(), Is.EqualTo("Which?"));
        Assert.That((unknown, unknownBody!["detail"]!.GetValue<string>()), Is.EqualTo((404, "Interrupt not found")));
        Assert.That((foreign, foreignBody!["detail"]!.GetValue<string>()), Is.EqualTo((403, "Not authorized to access this interrupt")));
        Assert.That((noText, noTextBody!["detail"]!.GetValue<string>()), Is.EqualTo((400, "Clarification interrupt requires 'text' field")));
        Assert.That(tooLong, Is.EqualTo(422));
        Assert.That(foreignRespond, Is.EqualTo(403));
        Assert.That(responded, Is.EqualTo(200));
        Assert.That(respondBody!["success"]!.GetValue<bool>(), Is.True);
        Assert.That(respondBody["request_can_resume"]!.GetValue<bool>(), Is.True);
        Assert.That(respondBody["interrupt"]!["status"]!.GetValue<string>(), Is.EqualTo("resolved"));
        Assert.That((again, againBody!["detail"]!.GetValue<string>()), Is.EqualTo((409, "Interrupt is not pending (status: resolved)")));
        Assert.That(noApproved, Is.EqualTo(400));
        Assert.That(foreignCancel, Is.EqualTo(403));
        Assert.That(cancelled, Is.EqualTo(204));
        Assert.That((cancelledAgain, cancelledAgainBody!["detail"]!.GetValue<string>()), Is.EqualTo((409, "Cannot cancel interrupt (may already be resolved)")));
    }
}
