using System.Diagnostics;
using System.Text.Json.Nodes;
using Jeeves.Examples.HelloWorld;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Gateway;

/// <summary>Chat over HTTP: validation, the reply, the event stream and the human-in-the-loop round trip.</summary>
public sealed class GatewayChatEndpointTests
{
    [Test]
    public async Task PostMessage_Question_CompletedReplyWithCitationsAndBothMessagesSaved()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();

        (int status, JsonNode? reply) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "What does the kernel do?" });

        Assert.That(status, Is.EqualTo(200));
        Assert.That(reply!.AsObject().Select(p => p.Key), Is.EqualTo(new[]
        {
            "request_id", "session_id", "status", "response", "clarification_needed", "clarification_question",
            "confirmation_message", "confirmation_id", "files_examined", "citations", "thread_id",
        }));
        Assert.That(reply["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        string response = reply["response"]!.GetValue<string>();
        Assert.That(response, Does.Contain("kernel").IgnoreCase);
        Assert.That(reply["citations"]!.AsArray(), Is.Not.Empty, "the chatbot cites the knowledge sections it answered from");
        string session = reply["session_id"]!.GetValue<string>();
        JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice");
        Assert.That(messages["messages"]!.AsArray().Select(m => (m!["role"]!.GetValue<string>(), m["content"]!.GetValue<string>())),
            Is.EqualTo(new[] { ("user", "What does the kernel do?"), ("assistant", response) }));
    }

    [Test]
    public async Task PostMessage_FollowUpInTheSameSession_TheChatbotSeesTheEarlierTurns()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        (_, JsonNode? first) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "What does the kernel do?" });
        string session = first!["session_id"]!.GetValue<string>();
        string firstAnswer = first["response"]!.GetValue<string>();

        (int status, JsonNode? second) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "How does routing work?", session_id = session });

        Assert.That((status, second!["session_id"]!.GetValue<string>()), Is.EqualTo((200, session)));
        string prompt = host.Mock.Calls.Last(c => c.AgentName == "understand").PromptText;
        Assert.That(prompt, Does.Contain("User: What does the kernel do?"));
        Assert.That(prompt, Does.Contain($"Assistant: {firstAnswer}"));
        Assert.That(prompt, Does.Contain("Latest message: How does routing work?"));
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
    public async Task Stream_Question_StagesThenTokensFramedIdsFromOneOneTerminalThenDone()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync();
        var clock = Stopwatch.StartNew();

        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=What%20does%20the%20kernel%20do%3F");
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
        Assert.That(JsonNode.Parse(events[0].Data!)!["pipeline"]!.GetValue<string>(), Is.EqualTo(OnboardingCapability.Pipeline));
        Assert.That(events.Where(e => e.Event == "agent.started").Select(e => JsonNode.Parse(e.Data!)!["stage"]!.GetValue<string>()),
            Is.EqualTo(new[] { "understand", "think_knowledge", "respond" }));
        Assert.That(events.Count(e => e.Event is "response_ready" or "error"), Is.EqualTo(1));
        Assert.That(events[^3].Event, Is.EqualTo("response_ready"));
        Assert.That(events[^2].Event, Is.EqualTo("done"));
        Assert.That((events[^1].Event, events[^1].Data, events[^1].Id), Is.EqualTo(((string?)null, "[DONE]", (string?)null)));
        List<ParsedSse> tokens = [.. events.Where(e => e.Event == "token")];
        string streamed = string.Concat(tokens.Select(e => JsonNode.Parse(e.Data!)!["text"]!.GetValue<string>()));
        JsonNode ready = JsonNode.Parse(events[^3].Data!)!;
        Assert.That(tokens, Has.Count.GreaterThan(1), "the answer arrives word by word");
        Assert.That(streamed.Trim(), Is.EqualTo(ready["response"]!.GetValue<string>()));
        Assert.That(ready["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(events.Where(e => e.Data != "[DONE]" && e.Event != "done").Select(e => JsonNode.Parse(e.Data!)!.AsObject()),
            Has.All.Matches<JsonObject>(o => o.ContainsKey("request_id") && o.ContainsKey("session_id") && o.ContainsKey("timestamp_ms")));
        Assert.That(sse.Raw, Does.EndWith("data: [DONE]\n\n"));
    }

    [Test]
    public async Task Stream_ClockQuestion_CallsTheGetTimeToolOnTheHostsClock()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(time: time);

        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=What%20time%20is%20it%3F");
        await sse.ReadToEndAsync();

        List<ParsedSse> events = [.. sse.Events];
        Assert.That(events.Where(e => e.Event == "agent.started").Select(e => JsonNode.Parse(e.Data!)!["agent"]!.GetValue<string>()),
            Is.EqualTo(new[] { "understand", "think_tools", "respond" }));
        JsonNode tool = JsonNode.Parse(events.Single(e => e.Event == "tool.completed").Data!)!;
        Assert.That((tool["tool_name"]!.GetValue<string>(), tool["status"]!.GetValue<string>()), Is.EqualTo(("get_time", "success")));
        Assert.That(JsonNode.Parse(events.Single(e => e.Event == "response_ready").Data!)!["response"]!.GetValue<string>(), Does.Contain("2026-01-01"));
        Assert.That(JsonNode.Parse(events[0].Data!)!["timestamp_ms"]!.GetValue<long>(), Is.EqualTo(TestKernel.Epoch.ToUnixTimeMilliseconds()));
    }

    [Test]
    public async Task Stream_MockTokenDelay_PacesTheAnswerOnTheHostsClock()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var pause = TimeSpan.FromMilliseconds(10);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(s => s.MockTokenDelay = pause, time: time);
        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=What%20does%20the%20kernel%20do%3F");

        // Act: the first word comes at once; each later one waits a pause on the host's clock, which only the test moves.
        ParsedSse? first = await sse.WaitForAsync("token");
        using var stop = new CancellationTokenSource();
        Task ticking = TickAsync(time, pause, stop.Token);
        await sse.ReadToEndAsync();
        await stop.CancelAsync();
        await ticking;

        // Assert
        long[] stamps = [.. sse.Events.Where(e => e.Event == "token").Select(e => JsonNode.Parse(e.Data!)!["timestamp_ms"]!.GetValue<long>())];
        Assert.That(first, Is.Not.Null);
        Assert.That(stamps, Has.Length.GreaterThan(2));
        Assert.That(stamps.Zip(stamps.Skip(1), (a, b) => b - a), Has.All.GreaterThanOrEqualTo((long)pause.TotalMilliseconds));
        Assert.That(sse.Events.Count(e => e.Event == "response_ready"), Is.EqualTo(1));
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
        // Arrange: a message too vague to answer makes the chatbot ask what the user means.
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(time: new FakeTimeProvider(TestKernel.Epoch));
        await using SseReader sse = await SseReader.OpenAsync(host.Client, "/api/v1/chat/stream?user_id=alice&message=help");

        // Act 1: the run pauses; the interrupt shows in the stream and in the owner's list.
        ParsedSse? asked = await sse.WaitForAsync("clarification");
        JsonNode raised = JsonNode.Parse(asked!.Data!)!;
        string session = raised["session_id"]!.GetValue<string>();
        string interruptId = raised["interrupt_id"]!.GetValue<string>();
        JsonObject listed = await host.GetJsonAsync($"/api/v1/interrupts/?user_id=alice&session_id={session}");
        JsonObject strangersList = await host.GetJsonAsync($"/api/v1/interrupts/?user_id=mallory&session_id={session}");
        (int stranger, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=mallory", new { text = "Nothing" });

        // Act 2: the owner answers; the run resumes at understand and completes.
        (int answered, JsonNode? answer) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "how routing works" });
        ParsedSse? ready = await sse.WaitForAsync("response_ready");
        ParsedSse? done = await sse.WaitForAsync("done");
        await sse.ReadToEndAsync();
        (int late, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "again" });

        // Assert
        Assert.That(raised["question"]!.GetValue<string>(), Is.EqualTo(OnboardingCapability.ClarificationQuestion));
        Assert.That(listed["interrupts"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()), Is.EqualTo(new[] { interruptId }));
        Assert.That(strangersList["total"]!.GetValue<int>(), Is.Zero, "another user never sees the interrupt");
        Assert.That(stranger, Is.EqualTo(403));
        Assert.That(answered, Is.EqualTo(200));
        Assert.That(answer!["interrupt"]!["status"]!.GetValue<string>(), Is.EqualTo("resolved"));
        JsonNode readyData = JsonNode.Parse(ready!.Data!)!;
        string response = readyData["response"]!.GetValue<string>();
        Assert.That(readyData["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(response, Does.Contain("rout").IgnoreCase, "the answer is about what the user said they meant");
        Assert.That(sse.Events.Where(e => e.Event == "agent.started").Select(e => JsonNode.Parse(e.Data!)!["stage"]!.GetValue<string>()),
            Is.EqualTo(new[] { "understand", "understand", "think_knowledge", "respond" }));
        Assert.That(string.Concat(sse.Events.Where(e => e.Event == "token").Select(e => JsonNode.Parse(e.Data!)!["text"]!.GetValue<string>())).Trim(), Is.EqualTo(response));
        Assert.That(done, Is.Not.Null);
        Assert.That(sse.Events.Select(e => e.Event), Does.Contain("interrupt.ended"));
        Assert.That(sse.Events.Count(e => e.Event is "response_ready" or "error"), Is.EqualTo(1));
        Assert.That(sse.Events[^1].Data, Is.EqualTo("[DONE]"));
        Assert.That(late, Is.EqualTo(409));
        JsonObject messages = await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice");
        Assert.That(messages["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()), Is.EqualTo(new[] { "help", response }));
    }

    [Test]
    public async Task PostMessage_Clarification_ReturnsQuestionAndRunFinishesAfterTheAnswer()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(time: new FakeTimeProvider(TestKernel.Epoch));

        (int status, JsonNode? reply) = await host.SendAsync(HttpMethod.Post, "/api/v1/chat/messages?user_id=alice", new { message = "help" });
        string interruptId = reply!["thread_id"]!.GetValue<string>();
        string session = reply["session_id"]!.GetValue<string>();
        (int answered, _) = await host.SendAsync(HttpMethod.Post, $"/api/v1/interrupts/{interruptId}/respond?user_id=alice", new { text = "what the kernel does" });

        Assert.That(status, Is.EqualTo(200));
        Assert.That(reply["status"]!.GetValue<string>(), Is.EqualTo("clarification"));
        Assert.That(reply["clarification_needed"]!.GetValue<bool>(), Is.True);
        Assert.That(reply["clarification_question"]!.GetValue<string>(), Is.EqualTo(OnboardingCapability.ClarificationQuestion));
        Assert.That(answered, Is.EqualTo(200));

        // The run resumed in the background; its answer lands in the session when it completes.
        JsonArray? messages = null;
        for (int i = 0; i < 400; i++)
        {
            messages = (await host.GetJsonAsync($"/api/v1/chat/sessions/{session}/messages?user_id=alice"))["messages"]!.AsArray();
            if (messages.Count == 2)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), TimeProvider.System);
        }

        Assert.That(messages!.Select(m => m!["role"]!.GetValue<string>()), Is.EqualTo(new[] { "user", "assistant" }));
        Assert.That(messages![1]!["content"]!.GetValue<string>(), Does.Contain("kernel").IgnoreCase);
    }

    /// <summary>
    /// Moves the clock a pause at a time while the stream runs, so every paced word comes out; the clock runs at most
    /// twice as fast as real time, far from the runner's five-minute agent timeout.
    /// </summary>
    private static async Task TickAsync(FakeTimeProvider time, TimeSpan pause, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            time.Advance(pause);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
