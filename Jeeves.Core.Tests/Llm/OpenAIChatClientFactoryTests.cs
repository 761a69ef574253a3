using System.ClientModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Jeeves.Llm;
using Microsoft.Extensions.AI;

namespace Jeeves.Tests.Llm;

/// <summary>The OpenAI path end to end: the factory's client, the real OpenAI SDK, and a loopback OpenAI-compatible server.</summary>
public sealed class OpenAIChatClientFactoryTests
{
    private static readonly ChatMessage[] s_prompt = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Say hi.")];

    [Test]
    public async Task GetResponseAsync_ReturnsContentAndUsage_AndSendsModelKeyAndDefaults()
    {
        // Arrange
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Text("Hi there", promptTokens: 12, completionTokens: 3));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions(o =>
        {
            o.Temperature = 0.25f;
            o.MaxOutputTokens = 50;
        }));

        // Act
        ChatResponse response = await client.GetResponseAsync(s_prompt);

        // Assert
        Assert.That(response.Text, Is.EqualTo("Hi there"));
        Assert.That(response.ModelId, Is.EqualTo(OpenAICompatibleServer.DefaultModel));
        Assert.That(response.Usage?.InputTokenCount, Is.EqualTo(12));
        Assert.That(response.Usage?.OutputTokenCount, Is.EqualTo(3));
        RecordedRequest request = server.LastCompletion;
        Assert.That(request.Authorization, Is.EqualTo("Bearer test-key"));
        Assert.That(request.Body?["model"]?.GetValue<string>(), Is.EqualTo(OpenAICompatibleServer.DefaultModel));
        Assert.That(request.Body?["messages"]?.AsArray(), Has.Count.EqualTo(2));
        Assert.That(request.Body?["messages"]?[1]?["role"]?.GetValue<string>(), Is.EqualTo("user"));
        Assert.That(request.Body?["temperature"]?.GetValue<double>(), Is.EqualTo(0.25).Within(1e-6));
        Assert.That((request.Body?["max_completion_tokens"] ?? request.Body?["max_tokens"])?.GetValue<int>(), Is.EqualTo(50));
        Assert.That(request.IsStreaming, Is.False);
    }

    [Test]
    public async Task GetResponseAsync_CallOptionsOverrideConfiguredDefaults_AndSeedIsSent()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions(o => o.Temperature = 0.25f));

        await client.GetResponseAsync(s_prompt, new ChatOptions { Temperature = 0.9f, Seed = 42, TopP = 0.5f, StopSequences = ["User:"] });

        JsonNode? body = server.LastCompletion.Body;
        Assert.That(body?["temperature"]?.GetValue<double>(), Is.EqualTo(0.9).Within(1e-6));
        Assert.That(body?["seed"]?.GetValue<long>(), Is.EqualTo(42));
        Assert.That(body?["top_p"]?.GetValue<double>(), Is.EqualTo(0.5).Within(1e-6));
        Assert.That(body?["stop"]?.ToJsonString(), Does.Contain("User:"));
    }

    [Test]
    public async Task Create_WithoutApiKey_SendsThePlaceholderKey()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions(o => o.ApiKey = null));

        await client.GetResponseAsync(s_prompt);

        Assert.That(server.LastCompletion.Authorization, Is.EqualTo("Bearer " + OpenAIChatClientFactory.PlaceholderApiKey));
    }

    [Test]
    public async Task Create_ReportsProviderAndModelInItsMetadata()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();

        Assert.That(metadata?.ProviderName, Is.EqualTo("openai"));
        Assert.That(metadata?.DefaultModelId, Is.EqualTo(OpenAICompatibleServer.DefaultModel));
    }

    [Test]
    public async Task GetStreamingResponseAsync_YieldsTheDeltas_ThenTheUsage()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Text("one two three", promptTokens: 5, completionTokens: 3));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(s_prompt))
        {
            updates.Add(update);
        }

        ChatResponse combined = updates.ToChatResponse();
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("one two three"));
        Assert.That(updates.Count(u => u.Text.Length > 0), Is.EqualTo(3));
        Assert.That(combined.Usage?.InputTokenCount, Is.EqualTo(5));
        Assert.That(combined.Usage?.OutputTokenCount, Is.EqualTo(3));
        Assert.That(server.LastCompletion.IsStreaming, Is.True);
        Assert.That(server.LastCompletion.Body?["stream_options"]?["include_usage"]?.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task GetStreamingResponseAsync_YieldsEachChunkAsItArrives()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Enqueue(ServerReply.Text("first second") with { ResumeAfterFirstChunk = gate.Task });
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        await using IAsyncEnumerator<ChatResponseUpdate> updates = client.GetStreamingResponseAsync(s_prompt).GetAsyncEnumerator();
        string firstText = string.Empty;
        while (firstText.Length == 0 && await updates.MoveNextAsync())
        {
            firstText = updates.Current.Text;
        }

        // The server is still holding the rest of the stream.
        Assert.That(firstText, Is.EqualTo("first "));
        gate.SetResult();
        var rest = new List<string>();
        while (await updates.MoveNextAsync())
        {
            rest.Add(updates.Current.Text);
        }

        Assert.That(string.Concat(rest), Is.EqualTo("second"));
    }

    [Test]
    public async Task GetResponseAsync_ToolCalls_BecomeFunctionCallContent()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.WithToolCalls(new ServerToolCall("call_1", "get_time", """{"timezone":"UTC"}""")));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        ChatResponse response = await client.GetResponseAsync(s_prompt);

        FunctionCallContent call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.That(call.CallId, Is.EqualTo("call_1"));
        Assert.That(call.Name, Is.EqualTo("get_time"));
        Assert.That(call.Arguments?["timezone"]?.ToString(), Is.EqualTo("UTC"));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
    }

    [Test]
    public async Task GetStreamingResponseAsync_ToolCalls_BecomeFunctionCallContent()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.WithToolCalls(new ServerToolCall("call_9", "list_tools", "{}")));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(s_prompt))
        {
            updates.Add(update);
        }

        FunctionCallContent call = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single();
        Assert.That(call.Name, Is.EqualTo("list_tools"));
        Assert.That(call.CallId, Is.EqualTo("call_9"));
    }

    [Test]
    public async Task GetResponseAsync_RateLimitedOnce_RetriesOnce()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.RateLimited(retryAfterMs: 0), ServerReply.Text("ok"));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        ChatResponse response = await client.GetResponseAsync(s_prompt);

        Assert.That(response.Text, Is.EqualTo("ok"));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task GetResponseAsync_RateLimited_WaitsAsLongAsTheServerAsks()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.RateLimited(retryAfterMs: 200), ServerReply.Text("ok"));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());
        var clock = Stopwatch.StartNew();

        await client.GetResponseAsync(s_prompt);

        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task GetResponseAsync_ServerErrorOnce_RetriesAndSucceeds()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Error(500), ServerReply.Text("recovered"));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        ChatResponse response = await client.GetResponseAsync(s_prompt);

        Assert.That(response.Text, Is.EqualTo("recovered"));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(2));
    }

    [Test]
    public async Task GetResponseAsync_ServerErrorBeyondMaxRetries_Throws_AfterMaxRetriesPlusOneRequests()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.DefaultReply = ServerReply.Error(500, "boom");
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions(o => o.MaxRetries = 2));

        ClientResultException? error = Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(s_prompt));

        Assert.That(error?.Status, Is.EqualTo(500));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(3));
    }

    [Test]
    public async Task GetResponseAsync_ClientError_IsNotRetried()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.DefaultReply = ServerReply.Error(400, "bad request");
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions());

        ClientResultException? error = Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(s_prompt));

        Assert.That(error?.Status, Is.EqualTo(400));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task GetResponseAsync_SlowerThanTheTimeout_FailsInTime()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Slow(TimeSpan.FromSeconds(30)));
        using IChatClient client = OpenAIChatClientFactory.Create(server.CreateOptions(o =>
        {
            o.Timeout = TimeSpan.FromSeconds(1);
            o.MaxRetries = 0;
        }));
        var clock = Stopwatch.StartNew();

        Exception? error = Assert.CatchAsync(() => client.GetResponseAsync(s_prompt));

        // The SDK reports its network timeout as a cancellation that the caller did not ask for.
        Assert.That(error, Is.InstanceOf<OperationCanceledException>(), error?.ToString());
        Assert.That(error?.Message, Does.Contain("timeout"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(1));
    }

    [Test]
    public async Task CheckHealthAsync_ListsModels_AndReportsFailures()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        LlmOptions options = server.CreateOptions();

        bool healthy = await OpenAIChatClientFactory.CheckHealthAsync(options);
        server.ModelsStatus = 503;
        bool unhealthy = await OpenAIChatClientFactory.CheckHealthAsync(options);

        Assert.That(healthy, Is.True);
        Assert.That(unhealthy, Is.False);
        Assert.That(server.Requests.Count(r => r.Method == "GET" && r.Path == "/v1/models"), Is.EqualTo(2), "no retries");
    }

    [Test]
    public async Task CheckHealthAsync_NothingListening_ReturnsFalse()
    {
        var options = new LlmOptions { Model = "m", Endpoint = new Uri("http://127.0.0.1:1/v1"), Timeout = TimeSpan.FromSeconds(1) };

        Assert.That(await OpenAIChatClientFactory.CheckHealthAsync(options), Is.False);
        Assert.That(await OpenAIChatClientFactory.CheckHealthAsync(new LlmOptions { UseMock = true }), Is.True);
    }

    [Test]
    public async Task Create_ForRole_UsesTheRoleOverrides()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        LlmOptions options = server.CreateOptions(o =>
        {
            o.Temperature = 0.7f;
            o.Roles["planner"] = new LlmRoleOptions { Model = "planner-model", Temperature = 0.1f };
        });
        using IChatClient planner = OpenAIChatClientFactory.Create(options, "planner");
        using IChatClient other = OpenAIChatClientFactory.Create(options, "unknown-role");

        await planner.GetResponseAsync(s_prompt);
        JsonNode? plannerBody = server.LastCompletion.Body;
        await other.GetResponseAsync(s_prompt);
        JsonNode? otherBody = server.LastCompletion.Body;

        Assert.That(plannerBody?["model"]?.GetValue<string>(), Is.EqualTo("planner-model"));
        Assert.That(plannerBody?["temperature"]?.GetValue<double>(), Is.EqualTo(0.1).Within(1e-6));
        Assert.That(otherBody?["model"]?.GetValue<string>(), Is.EqualTo(OpenAICompatibleServer.DefaultModel));
        Assert.That(otherBody?["temperature"]?.GetValue<double>(), Is.EqualTo(0.7).Within(1e-6));
    }

    [Test]
    public void Create_WithoutModel_FailsWithAClearMessage()
    {
        KernelException? error = Assert.Throws<KernelException>(() => OpenAIChatClientFactory.Create(new LlmOptions()));
        KernelException? roleError = Assert.Throws<KernelException>(() => OpenAIChatClientFactory.Create(new LlmOptions(), "planner"));

        Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(error?.Message, Does.StartWith("No LLM model configured. Set JEEVES_LLM_MODEL"));
        Assert.That(roleError?.Message, Does.Contain("PLANNER_MODEL"));
    }

    [Test]
    public void Create_WithInvalidOptions_NamesTheField()
    {
        var options = new LlmOptions { Model = "m", Timeout = TimeSpan.FromMilliseconds(500) };

        KernelException? error = Assert.Throws<KernelException>(() => OpenAIChatClientFactory.Create(options));

        Assert.That(error?.Message, Does.Contain("LlmOptions.Timeout"));
    }

    [Test]
    public void Create_UseMock_ReturnsTheMock_WithoutAModel()
    {
        using IChatClient client = OpenAIChatClientFactory.Create(new LlmOptions { UseMock = true });

        Assert.That(client, Is.InstanceOf<MockChatClient>());
    }

    [Test]
    public async Task MeteringOverTheRealClient_RecordsReportedUsage_AndKeepsTheContextOutOfTheRequest()
    {
        // Arrange
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Text("metered", promptTokens: 20, completionTokens: 4));
        await using IKernelClient kernel = KernelClient.CreateInProcess();
        var pid = new ProcessId("p-llm");
        await kernel.Kernel.CreateProcessAsync(pid);
        using var client = new MeteringChatClient(OpenAIChatClientFactory.Create(server.CreateOptions()), kernel);
        var context = new LlmCallContext(pid, "respond") { ChargeKernel = true };

        // Act
        ChatResponse response = await client.GetResponseAsync(s_prompt, context.AttachTo(new ChatOptions()));
        ProcessInfo? process = await kernel.Kernel.GetProcessAsync(pid);

        // Assert
        Assert.That(response.Text, Is.EqualTo("metered"));
        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens, context.EstimatedCalls), Is.EqualTo((1, 20L, 4L, 0)));
        Assert.That(context.UnpricedCalls, Is.EqualTo(1), "test-model has no price");
        Assert.That(process?.Usage.LlmCalls, Is.EqualTo(1));
        Assert.That(process?.Usage.TokensIn, Is.EqualTo(20));
        Assert.That(process?.Usage.TokensOut, Is.EqualTo(4));
        Assert.That(server.LastCompletion.Body?.ToJsonString(), Does.Not.Contain(LlmCallContext.PropertyName));
    }

    [Test]
    public async Task MeteringOverTheRealClient_Streaming_RecordsTheStreamedUsage()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.Enqueue(ServerReply.Text("a b c", promptTokens: 9, completionTokens: 2));
        await using IKernelClient kernel = KernelClient.CreateInProcess();
        using var client = new MeteringChatClient(OpenAIChatClientFactory.Create(server.CreateOptions(o => o.Model = "gpt-4o-mini")), kernel);
        var context = new LlmCallContext(new ProcessId("p1"), "respond");

        string text = string.Empty;
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(s_prompt, context.AttachTo(new ChatOptions())))
        {
            text += update.Text;
        }

        Assert.That(text, Is.EqualTo("a b c"));
        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 9L, 2L)));
        Assert.That(context.CostUsd, Is.EqualTo(0.000003m), "9 × 0.00015/1K + 2 × 0.0006/1K = 0.00000255, rounded half to even");
    }

    [Test]
    public async Task MeteringOverTheRealClient_FailedCall_CountsAsACallWithoutTokens()
    {
        await using var server = await OpenAICompatibleServer.StartAsync();
        server.DefaultReply = ServerReply.Error(500);
        await using IKernelClient kernel = KernelClient.CreateInProcess();
        var pid = new ProcessId("p-fail");
        await kernel.Kernel.CreateProcessAsync(pid);
        using var client = new MeteringChatClient(OpenAIChatClientFactory.Create(server.CreateOptions(o => o.MaxRetries = 0)), kernel);
        var context = new LlmCallContext(pid, "respond") { ChargeKernel = true };

        Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(s_prompt, context.AttachTo(new ChatOptions())));
        ProcessInfo? process = await kernel.Kernel.GetProcessAsync(pid);

        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 0L, 0L)));
        Assert.That(process?.Usage.LlmCalls, Is.EqualTo(1));
        Assert.That(process?.Usage.TokensIn, Is.Zero);
    }
}
