using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Jeeves.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Llm;

/// <summary>The deterministic mock: call log, scripted rules, streaming, usage, and its default answers.</summary>
public sealed class MockChatClientTests
{
    private const string Knowledge =
        "The kernel schedules processes and enforces budgets. Interrupts pause a process until a human answers.\n" +
        "- Tools run through the tool executor, which checks access first.\n" +
        "The message bus carries events, commands and queries.";

    private static readonly JsonElement s_understandSchema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "intent": { "type": "string", "enum": ["architecture", "concept", "getting_started", "component", "general"] },
            "topic": { "type": "string" },
            "reasoning": { "type": "string" }
          },
          "required": ["intent", "topic", "reasoning"]
        }
        """).RootElement.Clone();

    private static readonly JsonElement s_respondSchema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "response": { "type": "string" },
            "citations": { "type": "array", "items": { "type": "string" } },
            "confidence": { "type": "string", "enum": ["high", "medium", "low"] },
            "needs_more_context": { "type": "boolean" },
            "score": { "type": "integer", "minimum": 3 },
            "weight": { "type": ["number", "null"] },
            "detail": { "$ref": "#/$defs/Detail" },
            "tags": { "type": "array", "items": { "type": "string" }, "minItems": 1 }
          },
          "$defs": { "Detail": { "type": "object", "properties": { "note": { "type": "string" }, "final_answer": { "type": "string" } } } }
        }
        """).RootElement.Clone();

    private static ChatMessage[] Prompt(string user, string? system = Knowledge) =>
        system is null ? [new(ChatRole.User, user)] : [new(ChatRole.System, system), new(ChatRole.User, user)];

    private static ChatOptions For(string agent) => new LlmCallContext(new ProcessId("p1"), agent).AttachTo(new ChatOptions());

    [Test]
    public async Task GetResponseAsync_LogsEveryCall_WithAgentMessagesAndOptions()
    {
        var mock = new MockChatClient();
        ChatOptions options = For("understand");

        await mock.GetResponseAsync(Prompt("hello"), options);
        await mock.GetResponseAsync(Prompt("again", system: null));

        IReadOnlyList<MockChatCall> calls = mock.Calls;
        Assert.That(mock.CallCount, Is.EqualTo(2));
        Assert.That((calls[0].Sequence, calls[0].AgentName, calls[0].Options, calls[0].IsStreaming), Is.EqualTo((1, "understand", options, false)));
        Assert.That(calls[0].Messages, Has.Count.EqualTo(2));
        Assert.That(calls[0].LastUserMessage, Is.EqualTo("hello"));
        Assert.That(calls[0].PromptText, Is.EqualTo(Knowledge + "\nhello"));
        Assert.That((calls[1].AgentName, calls[1].Options), Is.EqualTo(((string?)null, (ChatOptions?)null)));
    }

    [Test]
    public async Task Rules_MatchInOrder_ByAgentPromptAndPredicate_OnceOrSticky()
    {
        var mock = new MockChatClient();
        mock.On(agentName: "understand").ReplyOnce("first understand")
            .On(agentName: "understand").Reply("later understand")
            .On(promptPattern: @"\btime\b").Reply("It is noon.")
            .On(predicate: c => c.Messages.Count > 2).Reply("long conversation");

        string a = (await mock.GetResponseAsync(Prompt("what time is it"), For("understand"))).Text;
        string b = (await mock.GetResponseAsync(Prompt("what time is it"), For("understand"))).Text;
        string c = (await mock.GetResponseAsync(Prompt("what time is it"), For("respond"))).Text;
        string d = (await mock.GetResponseAsync([.. Prompt("hi"), new ChatMessage(ChatRole.User, "more")])).Text;
        string e = (await mock.GetResponseAsync(Prompt("sometimes"), For("respond"))).Text;

        Assert.That(new[] { a, b, c, d }, Is.EqualTo(new[] { "first understand", "later understand", "It is noon.", "long conversation" }));
        Assert.That(e, Is.Not.EqualTo("It is noon."), "the pattern matches words, and 'sometimes' is not 'time'");
    }

    [Test]
    public async Task AddRule_ReplyFactory_SeesTheCall()
    {
        var mock = new MockChatClient();
        mock.AddRule(new MockRule { PromptPattern = new Regex("echo", RegexOptions.IgnoreCase), ReplyFactory = call => MockReply.FromText(call.LastUserMessage.ToUpperInvariant()) });

        ChatResponse response = await mock.GetResponseAsync(Prompt("Echo me"));

        Assert.That(response.Text, Is.EqualTo("ECHO ME"));
        Assert.Throws<ArgumentException>(() => mock.AddRule(new MockRule()));
        Assert.Throws<ArgumentException>(() => mock.AddRule(new MockRule { Reply = MockReply.FromText("x"), ReplyFactory = _ => MockReply.FromText("y") }));
    }

    [Test]
    public void Rules_Exception_IsThrown_AndTheCallIsStillLogged()
    {
        var mock = new MockChatClient();
        var failure = new InvalidOperationException("model down");
        mock.On(agentName: "respond").Reply(MockReply.FromException(failure));

        InvalidOperationException? thrown = Assert.ThrowsAsync<InvalidOperationException>(() => mock.GetResponseAsync(Prompt("hi"), For("respond")));
        Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in mock.GetStreamingResponseAsync(Prompt("hi"), For("respond")))
            {
            }
        });

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(mock.CallCount, Is.EqualTo(2));
    }

    [Test]
    public async Task Rules_Delay_WaitsOnTheInjectedClock()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var mock = new MockChatClient(time);
        mock.On().Reply(new MockReply { Text = "slow", Delay = TimeSpan.FromSeconds(30) });

        Task<ChatResponse> pending = mock.GetResponseAsync(Prompt("hi"));
        time.Advance(TimeSpan.FromSeconds(29));
        bool doneEarly = pending.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        ChatResponse response = await pending;

        Assert.That(doneEarly, Is.False);
        Assert.That(response.Text, Is.EqualTo("slow"));
    }

    [Test]
    public async Task Rules_Delay_IsCancellable()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var mock = new MockChatClient(time);
        mock.On().Reply(new MockReply { Text = "slow", Delay = TimeSpan.FromMinutes(1) });
        using var cts = new CancellationTokenSource();

        Task<ChatResponse> pending = mock.GetResponseAsync(Prompt("hi"), cancellationToken: cts.Token);
        await cts.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => pending);
    }

    [Test]
    public async Task GetStreamingResponseAsync_ChunkDelay_PacesTheChunksOnTheInjectedClock()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        var mock = new MockChatClient(time);
        mock.On().Reply(new MockReply { Chunks = ["one ", "two ", "three"], ChunkDelay = TimeSpan.FromSeconds(1) });
        await using IAsyncEnumerator<ChatResponseUpdate> stream = mock.GetStreamingResponseAsync(Prompt("hi")).GetAsyncEnumerator();

        Assert.That(await stream.MoveNextAsync(), Is.True, "the first chunk does not wait");
        string first = stream.Current.Text;
        ValueTask<bool> second = stream.MoveNextAsync();
        bool secondEarly = second.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await second, Is.True);
        string secondText = stream.Current.Text;
        ValueTask<bool> third = stream.MoveNextAsync();
        bool thirdEarly = third.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await third, Is.True);

        Assert.That((first, secondText, stream.Current.Text), Is.EqualTo(("one ", "two ", "three")));
        Assert.That((secondEarly, thirdEarly), Is.EqualTo((false, false)));
        ChatResponse whole = await mock.GetResponseAsync(Prompt("hi"));
        Assert.That(whole.Text, Is.EqualTo("one two three"), "a non-streaming call does not wait");
    }

    [Test]
    public async Task GetResponseAsync_ReportsUsage_GivenOrEstimated()
    {
        var mock = new MockChatClient();
        mock.On(promptPattern: "explicit").Reply(new MockReply { Text = "x", InputTokens = 1000, OutputTokens = 3 });

        ChatResponse given = await mock.GetResponseAsync(Prompt("explicit", system: null));
        ChatResponse estimated = await mock.GetResponseAsync([new(ChatRole.System, "12345"), new(ChatRole.User, "123")]);

        Assert.That((given.Usage?.InputTokenCount, given.Usage?.OutputTokenCount, given.Usage?.TotalTokenCount), Is.EqualTo(((long?)1000, (long?)3, (long?)1003)));
        Assert.That(estimated.Usage?.InputTokenCount, Is.EqualTo(2), "ceil(8 / 4)");
        Assert.That(estimated.Usage?.OutputTokenCount, Is.EqualTo((estimated.Text.Length + 3) / 4));
        Assert.That(estimated.ModelId, Is.EqualTo("mock"));
        Assert.That(estimated.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
    }

    [Test]
    public async Task GetStreamingResponseAsync_SplitsIntoWords_ThenReportsUsage()
    {
        var mock = new MockChatClient();
        mock.On().Reply(" Hello  big\nworld ");

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in mock.GetStreamingResponseAsync(Prompt("hi"), For("respond")))
        {
            updates.Add(update);
        }

        string[] texts = [.. updates.Where(u => u.Text.Length > 0).Select(u => u.Text)];
        UsageContent usage = updates[^1].Contents.OfType<UsageContent>().Single();
        Assert.That(texts, Is.EqualTo(new[] { " Hello  ", "big\n", "world " }));
        Assert.That(usage.Details.OutputTokenCount, Is.EqualTo(5), "ceil(18 / 4)");
        Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        Assert.That(mock.Calls[0].IsStreaming, Is.True);
    }

    [Test]
    public async Task GetStreamingResponseAsync_UsesExplicitChunks()
    {
        var mock = new MockChatClient();
        mock.On().Reply(new MockReply { Chunks = ["He", "llo"] });

        List<string> texts = [];
        await foreach (ChatResponseUpdate update in mock.GetStreamingResponseAsync(Prompt("hi")))
        {
            texts.Add(update.Text);
        }

        ChatResponse whole = await mock.GetResponseAsync(Prompt("hi"));
        Assert.That(texts.Where(t => t.Length > 0), Is.EqualTo(new[] { "He", "llo" }));
        Assert.That(whole.Text, Is.EqualTo("Hello"));
    }

    [Test]
    public async Task ToolCalls_AreReturned_PlainAndStreamed()
    {
        var mock = new MockChatClient();
        var call = new FunctionCallContent("call_1", "get_time", new Dictionary<string, object?> { ["timezone"] = "UTC" });
        mock.On(agentName: "think").Reply(MockReply.FromToolCalls(call));

        ChatResponse response = await mock.GetResponseAsync(Prompt("time?"), For("think"));
        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in mock.GetStreamingResponseAsync(Prompt("time?"), For("think")))
        {
            updates.Add(update);
        }

        Assert.That(response.Messages.Single().Contents.OfType<FunctionCallContent>().Single(), Is.SameAs(call));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        string arguments = JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions);
        Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(("get_time".Length + arguments.Length + 3) / 4), arguments);
        Assert.That(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single().Name, Is.EqualTo("get_time"));
        Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
    }

    [Test]
    public async Task DefaultText_TakesUpToTwoSystemSentencesSharingTheMostWords()
    {
        var mock = new MockChatClient();

        string interrupts = (await mock.GetResponseAsync(Prompt("How do interrupts pause a process?"))).Text;
        string tools = (await mock.GetResponseAsync(Prompt("Which executor runs the tools?"))).Text;
        string nothing = (await mock.GetResponseAsync(Prompt("What is the weather in Paris?"))).Text;
        string noSystem = (await mock.GetResponseAsync(Prompt("kernel processes", system: null))).Text;

        Assert.That(interrupts, Is.EqualTo("Interrupts pause a process until a human answers."), "'processes' is not 'process': whole words only");
        Assert.That(tools, Is.EqualTo("Tools run through the tool executor, which checks access first."));
        Assert.That(nothing, Is.EqualTo(MockChatClient.NoInformationAnswer));
        Assert.That(noSystem, Is.EqualTo(MockChatClient.NoInformationAnswer));
    }

    [Test]
    public async Task DefaultText_KeepsTheTwoBestSentences_InTheirOrder()
    {
        var mock = new MockChatClient();

        string answer = (await mock.GetResponseAsync(Prompt("Do the kernel budgets and the message bus events matter?"))).Text;

        Assert.That(answer, Is.EqualTo("The kernel schedules processes and enforces budgets. The message bus carries events, commands and queries."));
    }

    [Test]
    public async Task DefaultText_IgnoresStopWordsAndShortWords()
    {
        var mock = new MockChatClient();

        string answer = (await mock.GetResponseAsync(Prompt("what is the and of it?"))).Text;

        Assert.That(answer, Is.EqualTo(MockChatClient.NoInformationAnswer));
    }

    [TestCase("Tell me about the architecture of the kernel", "architecture")]
    [TestCase("I am getting started with Jeeves, help", "getting_started")]
    [TestCase("How do I get started?", "general")]
    [TestCase("hello there", "general")]
    [TestCase("Is the COMPONENT list a concept?", "concept")]
    public async Task DefaultStructured_EnumPicksTheValueWhoseWordsTheUserUsed(string user, string intent)
    {
        var mock = new MockChatClient();
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(s_understandSchema, "understanding") };

        ChatResponse response = await mock.GetResponseAsync(Prompt(user), options);
        JsonObject result = JsonNode.Parse(response.Text)!.AsObject();

        Assert.That(result["intent"]?.GetValue<string>(), Is.EqualTo(intent));
        Assert.That(result["topic"]?.GetValue<string>(), Is.EqualTo("Mock topic."));
        Assert.That(result["reasoning"]?.GetValue<string>(), Is.EqualTo("Mock reasoning."));
    }

    [Test]
    public async Task DefaultStructured_FillsEveryKindOfProperty()
    {
        var mock = new MockChatClient();
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(s_respondSchema, "respond") };

        ChatResponse response = await mock.GetResponseAsync(Prompt("How are budgets enforced by the kernel?"), options);
        JsonObject result = JsonNode.Parse(response.Text)!.AsObject();

        string answer = "The kernel schedules processes and enforces budgets.";
        Assert.That(result["response"]?.GetValue<string>(), Is.EqualTo(answer));
        Assert.That(result["citations"]?.AsArray(), Is.Empty);
        Assert.That(result["confidence"]?.GetValue<string>(), Is.EqualTo("high"), "no value named, no general: the first");
        Assert.That(result["needs_more_context"]?.GetValue<bool>(), Is.False);
        Assert.That(result["score"]?.GetValue<long>(), Is.EqualTo(3));
        Assert.That(result["weight"]?.GetValue<double>(), Is.Zero);
        Assert.That(result["detail"]?["note"]?.GetValue<string>(), Is.EqualTo("Mock note."));
        Assert.That(result["detail"]?["final_answer"]?.GetValue<string>(), Is.EqualTo(answer));
        Assert.That(result["tags"]?.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "Mock tags." }));
    }

    [Test]
    public async Task DefaultStructured_ForASchemaMadeFromAType_Deserializes()
    {
        var mock = new MockChatClient();
        var serializer = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { Converters = { new JsonStringEnumConverter() } };
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema<Understanding>(serializer) };

        ChatResponse response = await mock.GetResponseAsync(Prompt("Explain the concept of an envelope"), options);
        Understanding? result = JsonSerializer.Deserialize<Understanding>(response.Text, serializer);

        Assert.That(result?.Intent, Is.EqualTo(Intent.Concept), response.Text);
        Assert.That(result?.Confidence, Is.Zero);
        Assert.That(result?.Tags, Is.Empty);
        Assert.That(result?.IsRetry, Is.False);
    }

    [Test]
    public async Task DefaultJsonWithoutSchema_WrapsTheTextAnswer()
    {
        var mock = new MockChatClient();

        ChatResponse response = await mock.GetResponseAsync(Prompt("What carries events?"), new ChatOptions { ResponseFormat = ChatResponseFormat.Json });

        Assert.That(JsonNode.Parse(response.Text)?["response"]?.GetValue<string>(), Is.EqualTo("The message bus carries events, commands and queries."));
    }

    [Test]
    public async Task GetService_ReportsMockMetadata_AndItself()
    {
        using var mock = new MockChatClient();

        ChatClientMetadata? metadata = mock.GetService<ChatClientMetadata>();

        Assert.That((metadata?.ProviderName, metadata?.DefaultModelId), Is.EqualTo(("mock", "mock")));
        Assert.That(mock.GetService<MockChatClient>(), Is.SameAs(mock));
        Assert.That(mock.GetService(typeof(MockChatClient), "key"), Is.Null);
        await Task.CompletedTask;
    }

    [Test]
    public async Task ConcurrentCalls_AreAllLogged_AndOneShotRulesAnswerOnce()
    {
        var mock = new MockChatClient();
        mock.On().ReplyOnce("the one");

        ChatResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => mock.GetResponseAsync(Prompt("q" + i)))));

        Assert.That(mock.CallCount, Is.EqualTo(50));
        Assert.That(responses.Count(r => r.Text == "the one"), Is.EqualTo(1));
        Assert.That(mock.Calls.Select(c => c.Sequence), Is.EquivalentTo(Enumerable.Range(1, 50)));
    }

    [Test]
    public void SplitWords_KeepsEveryCharacter()
    {
        Assert.That(MockChatClient.SplitWords(string.Empty), Is.Empty);
        Assert.That(MockChatClient.SplitWords("   "), Is.EqualTo(new[] { "   " }));
        Assert.That(MockChatClient.SplitWords("a b"), Is.EqualTo(new[] { "a ", "b" }));
    }

    public enum Intent
    {
        Architecture,
        Concept,
        General,
    }

    public sealed record Understanding(Intent Intent, string Topic, double Confidence, string[] Tags, bool IsRetry);
}
