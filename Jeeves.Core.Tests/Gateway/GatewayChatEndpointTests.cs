using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Jeeves.Tests.Gateway;

/// <summary>Chat over HTTP: validation, the reply, the event stream and the human-in-the-loop round trip.</summary>
public sealed class GatewayChatEndpointTests
{
    [Test]
    public async Task PostMessage_Hello_CompletedReplyWithEveryKeyAndBothMessagesSaved()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int status, JsonNode? reply) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "Hello there" });

        Assert.That(status, Is.EqualTo(200));
        Assert.That(reply!.AsObject().Select(p => p.Key), Is.EqualTo(new[]
        {
            "request_id", "session_id", "status", "response", "clarification_needed", "clarification_question",
            "confirmation_message", "confirmation_id", "files_examined", "citations", "thread_id",
        }));
        Assert.That(reply["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(reply["response"]!.GetValue<string>(), Does.Contain("You asked: \"Hello there\""));
        string session = reply["session_id"]!.GetValue<string>();
        JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice");
        Assert.That(messages["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()), Is.EqualTo(new[] { "user", "assistant" }));
    }

    [Test]
    public async Task PostMessage_Validation422_UnknownSession404()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int noUser, JsonNode? noUserBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages", new { message = "hi" });
        (int tooLong, JsonNode? tooLongBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = new string('m', 10_001) });
        (int justRight, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = new string('m', 10_000) });
        (int empty, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = "" });
        (int missing, JsonNode? missingBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { });
        (int unknownSession, JsonNode? unknownBody) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = "hi", session_id = "nope" });
        (int unknownMode, _) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=a", new { message = "hi", mode = "nope" });

        Assert.That(noUser, Is.EqualTo(422));
        Assert.That(noUserBody!["detail"]![0]!["loc"]!.ToJsonString(), Is.EqualTo("[\"query\",\"user_id\"]"));
        Assert.That(tooLong, Is.EqualTo(422));
        Assert.That(tooLongBody!["detail"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("string_too_long"));
        Assert.That(justRight, Is.EqualTo(200));
        Assert.That(empty, Is.EqualTo(422));
        Assert.That(missing, Is.EqualTo(422));
        Assert.That(missingBody!["detail"]![0]!["loc"]!.ToJsonString(), Is.EqualTo("[\"body\",\"message\"]"));
        Assert.That((unknownSession, unknownBody!["detail"]!.GetValue<string>()), Is.EqualTo((404, "Session not found")));
        Assert.That(unknownMode, Is.EqualTo(400));
    }

    [Test]
    public async Task Stream_Hello_FramedEventsIdsFromOneOneTerminalThenDone()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        var clock = Stopwatch.StartNew();

        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=Hello%20there");
        ParsedSse? firstToken = await sse.WaitForAsync("token");
        TimeSpan timeToFirstToken = clock.Elapsed;
        await sse.ReadToEndAsync();

        TestContext.Out.WriteLine($"time to first token on the mock: {timeToFirstToken.TotalMilliseconds:F0} ms");
        Assert.That(sse.Response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/event-stream; charset=utf-8"));
        Assert.That(sse.Response.Headers.CacheControl!.NoCache, Is.True);
        Assert.That(sse.Response.Headers.GetValues("X-Accel-Buffering").Single(), Is.EqualTo("no"));
        Assert.That(firstToken, Is.Not.Null);
        List<ParsedSse> events = [.. sse.Events];
        List<ParsedSse> numbered = [.. events.Where(e => e.Id is not null)];
        Assert.That(numbered.Select(e => int.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(Enumerable.Range(1, numbered.Count)));
        Assert.That(events[0].Event, Is.EqualTo("orchestrator.started"));
        Assert.That(events.Count(e => e.Event is "response_ready" or "error"), Is.EqualTo(1));
        Assert.That(events[^3].Event, Is.EqualTo("response_ready"));
        Assert.That(events[^2].Event, Is.EqualTo("done"));
        Assert.That((events[^1].Event, events[^1].Data, events[^1].Id), Is.EqualTo(((string?)null, "[DONE]", (string?)null)));
        string streamed = string.Concat(events.Where(e => e.Event == "token").Select(e => JsonNode.Parse(e.Data!)!["text"]!.GetValue<string>()));
        JsonNode ready = JsonNode.Parse(events[^3].Data!)!;
        Assert.That(streamed, Is.EqualTo(ready["response"]!.GetValue<string>()));
        Assert.That(events.Where(e => e.Data != "[DONE]" && e.Event != "done").Select(e => JsonNode.Parse(e.Data!)!.AsObject()),
            Has.All.Matches<JsonObject>(o => o.ContainsKey("request_id") && o.ContainsKey("session_id") && o.ContainsKey("timestamp_ms")));
        Assert.That(sse.Raw, Does.EndWith("data: [DONE]\n\n"));
    }

    [Test]
    public async Task Stream_Validation_JsonBeforeTheStream()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int noMessage, JsonNode? body) = await host.SendAsync(HttpMethod.Get, "/api/v1/chat/stream?user_id=a");
        (int tooLong, _) = await host.SendAsync(HttpMethod.Get, $"/api/v1/chat/stream?user_id=a&message={new string('m', 10_001)}");
        (int unknownSession, JsonNode? unknownBody) = await host.SendAsync(HttpMethod.Get, "/api/v1/chat/stream?user_id=a&message=hi&session_id=nope");

        Assert.That(noMessage, Is.EqualTo(422));
        Assert.That(body!["detail"]![0]!["loc"]!.ToJsonString(), Is.EqualTo("[\"query\",\"message\"]"));
        Assert.That(tooLong, Is.EqualTo(422));
        Assert.That((unknownSession, unknownBody!["detail"]!.GetValue<string>()), Is.EqualTo((404, "Session not found")));
    }

    [Test]
    public async Task HumanInTheLoop_RunPausesOwnerAnswersOverHttp_RunCompletesAndStreamEndsWithDone()
    {
        // Arrange: a question that makes the agent ask which city.
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=What%20is%20the%20weather%3F");

        // Act 1: the run pauses; the interrupt shows in the stream and in the owner's list.
        ParsedSse? asked = await sse.WaitForAsync("clarification");
        JsonNode raised = JsonNode.Parse(asked!.Data!)!;
        string session = raised["session_id"]!.GetValue<string>();
        string interruptId = raised["interrupt_id"]!.GetValue<string>();
        JsonObject listed = await host.GetJsonAsync($"/api/v1/interrupts/?user_id=alice&session_id={session}");
        JsonObject strangersList = await host.GetJsonAsync($"/api/v1/interrupts/?user_id=mallory&session_id={session}");
        (int stranger, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=mallory", new { text = "Nowhere" });

        // Act 2: the owner answers; the run resumes and completes.
        (int answered, JsonNode? answer) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "Paris" });
        ParsedSse? ready = await sse.WaitForAsync("response_ready");
        ParsedSse? done = await sse.WaitForAsync("done");
        await sse.ReadToEndAsync();
        (int late, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "Rome" });

        // Assert
        Assert.That(raised["question"]!.GetValue<string>(), Is.EqualTo("Which city do you mean?"));
        Assert.That(listed["interrupts"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()), Is.EqualTo(new[] { interruptId }));
        Assert.That(strangersList["total"]!.GetValue<int>(), Is.Zero, "another user never sees the interrupt");
        Assert.That(stranger, Is.EqualTo(403));
        Assert.That(answered, Is.EqualTo(200));
        Assert.That(answer!["interrupt"]!["status"]!.GetValue<string>(), Is.EqualTo("resolved"));
        Assert.That(JsonNode.Parse(ready!.Data!)!["response"]!.GetValue<string>(), Does.StartWith("The weather in Paris"));
        Assert.That(done, Is.Not.Null);
        Assert.That(sse.Events.Select(e => e.Event), Does.Contain("interrupt.ended"));
        Assert.That(sse.Events.Count(e => e.Event is "response_ready" or "error"), Is.EqualTo(1));
        Assert.That(sse.Events[^1].Data, Is.EqualTo("[DONE]"));
        Assert.That(late, Is.EqualTo(409));
        JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice");
        Assert.That(messages["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()).Last(), Does.StartWith("The weather in Paris"));
    }

    [Test]
    public async Task PostMessage_Clarification_ReturnsQuestionAndRunFinishesAfterTheAnswer()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int status, JsonNode? reply) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "Weather forecast please" });
        string interruptId = reply!["thread_id"]!.GetValue<string>();
        string session = reply["session_id"]!.GetValue<string>();
        (int answered, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "Lisbon" });

        Assert.That(status, Is.EqualTo(200));
        Assert.That(reply["status"]!.GetValue<string>(), Is.EqualTo("clarification"));
        Assert.That(reply["clarification_needed"]!.GetValue<bool>(), Is.True);
        Assert.That(reply["clarification_question"]!.GetValue<string>(), Is.EqualTo("Which city do you mean?"));
        Assert.That(answered, Is.EqualTo(200));
        string? last = null;
        for (int i = 0; i < 200 && last?.StartsWith("The weather in Lisbon", StringComparison.Ordinal) != true; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
            JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice");
            last = messages["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();
        }

        Assert.That(last, Does.StartWith("The weather in Lisbon"), "the run resumed in the background and its answer was saved");
    }
}
