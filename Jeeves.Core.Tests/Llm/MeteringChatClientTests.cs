using Jeeves.Llm;
using Microsoft.Extensions.AI;

namespace Jeeves.Tests.Llm;

/// <summary>Budget checks, usage and cost accounting of the metering layer, against a fake inner client and an in-process kernel.</summary>
public sealed class MeteringChatClientTests
{
    private static readonly ProcessId s_pid = new("p1");
    private static readonly ChatMessage[] s_prompt = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What time is it?")];

    private IKernelClient _kernel = null!;

    [SetUp]
    public async Task SetUp()
    {
        _kernel = KernelClient.CreateInProcess();
        await _kernel.Kernel.CreateProcessAsync(s_pid);
    }

    [TearDown]
    public async Task TearDown() => await _kernel.DisposeAsync();

    private static TestChatClient Replying(string text, long? inputTokens = 100, long? outputTokens = 20, string? modelId = null) => new()
    {
        GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = modelId,
            Usage = inputTokens is null && outputTokens is null ? null : new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = outputTokens },
        }),
    };

    private static ChatOptions With(LlmCallContext context) => context.AttachTo(new ChatOptions());

    private async Task<ResourceUsage> KernelUsageAsync() => (await _kernel.Kernel.GetProcessAsync(s_pid))!.Usage;

    [Test]
    public async Task GetResponseAsync_WithoutContext_PassesThrough()
    {
        TestChatClient inner = Replying("plain");
        using var client = new MeteringChatClient(inner, _kernel);

        ChatResponse response = await client.GetResponseAsync(s_prompt, new ChatOptions());

        Assert.That(response.Text, Is.EqualTo("plain"));
        Assert.That(inner.Calls, Is.EqualTo(1));
        Assert.That((await KernelUsageAsync()).LlmCalls, Is.Zero);
    }

    [Test]
    public async Task GetResponseAsync_AddsReportedUsageAndCost_ToTheContext_AndNotToTheKernelByDefault()
    {
        using var client = new MeteringChatClient(Replying("hi", 1000, 1000, modelId: "gpt-4o-2024-08-06"), _kernel);
        var context = new LlmCallContext(s_pid, "respond");

        await client.GetResponseAsync(s_prompt, With(context));

        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 1000L, 1000L)));
        Assert.That(context.CostUsd, Is.EqualTo(0.0125m), "gpt-4o: 0.0025 + 0.01 per 1K");
        Assert.That((context.EstimatedCalls, context.UnpricedCalls), Is.EqualTo((0, 0)));
        Assert.That((await KernelUsageAsync()).LlmCalls, Is.Zero, "the runtime reports usage with the agent result");
    }

    [Test]
    public async Task GetResponseAsync_ChargeKernel_RecordsTheCallAndTokens()
    {
        using var client = new MeteringChatClient(Replying("hi", 30, 5), _kernel);
        var context = new LlmCallContext(s_pid, "respond") { ChargeKernel = true };

        await client.GetResponseAsync(s_prompt, With(context));
        await client.GetResponseAsync(s_prompt, With(context));

        ResourceUsage usage = await KernelUsageAsync();
        Assert.That((usage.LlmCalls, usage.TokensIn, usage.TokensOut), Is.EqualTo((2, 60L, 10L)));
    }

    [Test]
    public async Task GetResponseAsync_PricesTheMetadataModel_WhenTheResponseNamesNone()
    {
        TestChatClient inner = Replying("hi", 2000, 0);
        inner.Metadata = new ChatClientMetadata("openai", defaultModelId: "gpt-4-0613");
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a");

        await client.GetResponseAsync(s_prompt, With(context));

        Assert.That(context.CostUsd, Is.EqualTo(0.06m));
    }

    [Test]
    public async Task GetResponseAsync_UsesTheGivenPriceTable_AndCountsUnpricedModels()
    {
        var prices = new LlmPriceTable();
        prices.SetPrice("local-", 1m, 2m);
        using var priced = new MeteringChatClient(Replying("x", 1000, 1000, modelId: "local-7b"), _kernel, prices);
        using var unpriced = new MeteringChatClient(Replying("x", 1000, 1000, modelId: "llama3.2"), _kernel, prices);
        var context = new LlmCallContext(s_pid, "a");

        await priced.GetResponseAsync(s_prompt, With(context));
        await unpriced.GetResponseAsync(s_prompt, With(context));

        Assert.That(context.CostUsd, Is.EqualTo(3m));
        Assert.That(context.UnpricedCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task GetResponseAsync_WithoutReportedUsage_EstimatesFourCharactersAToken()
    {
        using var client = new MeteringChatClient(Replying("12345", inputTokens: null, outputTokens: null), _kernel);
        var context = new LlmCallContext(s_pid, "a") { ChargeKernel = true };

        await client.GetResponseAsync(s_prompt, With(context));

        int inputChars = s_prompt.Sum(m => m.Text.Length); // 9 + 16 = 25
        Assert.That(context.InputTokens, Is.EqualTo((inputChars + 3) / 4));
        Assert.That(context.OutputTokens, Is.EqualTo(2), "ceil(5 / 4)");
        Assert.That(context.EstimatedCalls, Is.EqualTo(1));
        Assert.That((await KernelUsageAsync()).TokensIn, Is.EqualTo((inputChars + 3) / 4));
    }

    [Test]
    public async Task GetResponseAsync_CallBudgetUsedUp_RefusesBeforeCallingTheModel()
    {
        TestChatClient inner = Replying("hi");
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "understand") { RemainingLlmCalls = 1 };

        await client.GetResponseAsync(s_prompt, With(context));
        LlmBudgetExceededException? error = Assert.ThrowsAsync<LlmBudgetExceededException>(() => client.GetResponseAsync(s_prompt, With(context)));

        Assert.That(inner.Calls, Is.EqualTo(1));
        Assert.That(error?.Code, Is.EqualTo(KernelErrorCode.ResourceExhausted));
        Assert.That(error?.Violation, Is.EqualTo(QuotaViolation.LlmCalls));
        Assert.That((error?.Limit, error?.Used, error?.AgentName, error?.ProcessId), Is.EqualTo(((long?)1, (long?)1, "understand", (ProcessId?)s_pid)));
        Assert.That(error?.Message, Does.StartWith("quota exceeded: "));
        Assert.That(context.LlmCalls, Is.EqualTo(1), "a refused call is not counted");
    }

    [Test]
    public void GetResponseAsync_ZeroCallsLeft_RefusesTheFirstCall()
    {
        TestChatClient inner = Replying("hi");
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { RemainingLlmCalls = 0 };

        Assert.ThrowsAsync<LlmBudgetExceededException>(() => client.GetResponseAsync(s_prompt, With(context)));
        Assert.That(inner.Calls, Is.Zero);
    }

    [TestCase(QuotaViolation.TokensIn)]
    [TestCase(QuotaViolation.TokensOut)]
    public async Task GetResponseAsync_TokensUsedReachTheLimit_RefusesTheNextCall(QuotaViolation limit)
    {
        TestChatClient inner = Replying("hi", inputTokens: 50, outputTokens: 50);
        using var client = new MeteringChatClient(inner, _kernel);
        var context = limit == QuotaViolation.TokensIn
            ? new LlmCallContext(s_pid, "a") { RemainingInputTokens = 50, RemainingOutputTokens = 1000 }
            : new LlmCallContext(s_pid, "a") { RemainingInputTokens = 1000, RemainingOutputTokens = 50 };

        await client.GetResponseAsync(s_prompt, With(context));
        LlmBudgetExceededException? error = Assert.ThrowsAsync<LlmBudgetExceededException>(() => client.GetResponseAsync(s_prompt, With(context)));

        Assert.That(error?.Violation, Is.EqualTo(limit));
        Assert.That(inner.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task GetResponseAsync_InnerFailure_CountsACallWithoutTokens_AndRethrows()
    {
        var failure = new InvalidOperationException("model down");
        var inner = new TestChatClient { GetResponseAsyncCallback = (_, _, _) => Task.FromException<ChatResponse>(failure) };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { ChargeKernel = true };

        InvalidOperationException? thrown = Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(s_prompt, With(context)));

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 0L, 0L)));
        ResourceUsage usage = await KernelUsageAsync();
        Assert.That((usage.LlmCalls, usage.TokensIn), Is.EqualTo((1, 0L)));
    }

    [Test]
    public async Task GetResponseAsync_ConcurrentCallsOnOneContext_NeverExceedTheCallBudget()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new TestChatClient
        {
            GetResponseAsyncCallback = async (_, _, _) =>
            {
                await release.Task;
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } };
            },
        };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { RemainingLlmCalls = 5 };

        Task<ChatResponse>[] calls = [.. Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.GetResponseAsync(s_prompt, With(context))))];
        // Hold the admitted calls until every call has been admitted or refused, so they all overlap.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (calls.Count(c => c.IsFaulted) + inner.Calls < calls.Length && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Yield();
        }

        release.SetResult();
        await Task.WhenAll(calls).ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.That(calls.Count(c => c.IsCompletedSuccessfully), Is.EqualTo(5));
        Assert.That(calls.Count(c => c.Exception?.InnerException is LlmBudgetExceededException), Is.EqualTo(15));
        Assert.That(inner.Calls, Is.EqualTo(5));
        Assert.That(context.LlmCalls, Is.EqualTo(5));
    }

    [Test]
    public async Task GetStreamingResponseAsync_YieldsUpdatesAsTheyArrive_ThenRecordsTheStreamedUsage()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ChatResponseUpdate[] updates =
        [
            new(ChatRole.Assistant, "Hello ") { ModelId = "gpt-4o-mini" },
            new(ChatRole.Assistant, "world"),
            new(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 40, OutputTokenCount = 2 })]),
        ];
        var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => TestChatClient.Stream(updates, gate.Task, ct) };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "respond") { ChargeKernel = true };

        await using IAsyncEnumerator<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(s_prompt, With(context)).GetAsyncEnumerator();
        Assert.That(await stream.MoveNextAsync(), Is.True);
        Assert.That(stream.Current.Text, Is.EqualTo("Hello "), "the first update arrives while the inner stream is still held");
        Assert.That(context.InputTokens, Is.Zero);
        gate.SetResult();
        while (await stream.MoveNextAsync())
        {
        }

        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens, context.EstimatedCalls), Is.EqualTo((1, 40L, 2L, 0)));
        Assert.That(context.CostUsd, Is.EqualTo(decimal.Round((40 * 0.00015m / 1000) + (2 * 0.0006m / 1000), 6, MidpointRounding.ToEven)));
        Assert.That((await KernelUsageAsync()).TokensIn, Is.EqualTo(40));
    }

    [Test]
    public async Task GetStreamingResponseAsync_CallBudgetUsedUp_RefusesBeforeCallingTheModel()
    {
        var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => TestChatClient.Stream([new(ChatRole.Assistant, "x")], cancellationToken: ct) };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { RemainingLlmCalls = 0 };

        IAsyncEnumerable<ChatResponseUpdate> stream = client.GetStreamingResponseAsync(s_prompt, With(context));
        LlmBudgetExceededException? error = Assert.ThrowsAsync<LlmBudgetExceededException>(async () =>
        {
            await foreach (ChatResponseUpdate _ in stream)
            {
            }
        });

        Assert.That(error?.Violation, Is.EqualTo(QuotaViolation.LlmCalls));
        Assert.That(inner.Calls, Is.Zero);
    }

    [Test]
    public async Task GetStreamingResponseAsync_FailureMidStream_CountsACallWithoutTokens()
    {
        static async IAsyncEnumerable<ChatResponseUpdate> Failing()
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            await Task.Yield();
            throw new InvalidOperationException("stream broke");
        }

        var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, _) => Failing() };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { ChargeKernel = true };
        var received = new List<string>();

        Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync(s_prompt, With(context)))
            {
                received.Add(update.Text);
            }
        });

        Assert.That(received, Is.EqualTo(new[] { "partial" }));
        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 0L, 0L)));
        Assert.That((await KernelUsageAsync()).LlmCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task GetStreamingResponseAsync_AbandonedEarly_RecordsAnEstimateOfWhatArrived()
    {
        ChatResponseUpdate[] updates = [new(ChatRole.Assistant, "12345678"), new(ChatRole.Assistant, "never read")];
        var inner = new TestChatClient { GetStreamingResponseAsyncCallback = (_, _, ct) => TestChatClient.Stream(updates, cancellationToken: ct) };
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a");

        await foreach (ChatResponseUpdate _ in client.GetStreamingResponseAsync(s_prompt, With(context)))
        {
            break;
        }

        Assert.That((context.LlmCalls, context.OutputTokens, context.EstimatedCalls), Is.EqualTo((1, 2L, 1)));
    }

    [Test]
    public async Task UseMetering_AddsTheLayerToABuilderPipeline()
    {
        TestChatClient inner = Replying("hi", 3, 4);
        using IChatClient client = new ChatClientBuilder(inner).UseMetering(_kernel).Build();
        var context = new LlmCallContext(s_pid, "a");

        await client.GetResponseAsync(s_prompt, With(context));

        Assert.That(client.GetService<MeteringChatClient>(), Is.Not.Null);
        Assert.That(context.InputTokens, Is.EqualTo(3));
    }

    [Test]
    public async Task GetResponseAsync_ModelAnswersAtOnce_IsMeteredAndReturnsTheModelsOwnTask()
    {
        Task<ChatResponse> answered = Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "12345"))
        {
            Usage = new UsageDetails { InputTokenCount = 7 },
        });
        using var client = new MeteringChatClient(new TestChatClient { GetResponseAsyncCallback = (_, _, _) => answered }, _kernel);
        var context = new LlmCallContext(s_pid, "a");

        Task<ChatResponse> call = client.GetResponseAsync(s_prompt, With(context));

        Assert.That(call, Is.SameAs(answered), "nothing to wait for, so no task of its own");
        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens, context.EstimatedCalls), Is.EqualTo((1, 7L, 2L, 1)), "output estimated from the 5 characters");
        Assert.That((await call).Text, Is.EqualTo("12345"));
    }

    [Test]
    public async Task GetResponseAsync_ModelThrowsInsteadOfFaultingItsTask_FailsTheTaskAndChargesTheCall()
    {
        var failure = new InvalidOperationException("connection refused");
        using var client = new MeteringChatClient(new TestChatClient { GetResponseAsyncCallback = (_, _, _) => throw failure }, _kernel);
        var context = new LlmCallContext(s_pid, "a") { ChargeKernel = true };

        Task<ChatResponse> call = client.GetResponseAsync(s_prompt, With(context));

        InvalidOperationException? thrown = Assert.ThrowsAsync<InvalidOperationException>(() => call);
        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(context.LlmCalls, Is.EqualTo(1));
        Assert.That((await KernelUsageAsync()).LlmCalls, Is.EqualTo(1), "a failed call still counts against the process");
    }

    [Test]
    public void GetResponseAsync_BudgetRefusal_IsAFaultedTaskNotAThrow()
    {
        TestChatClient inner = Replying("hi");
        using var client = new MeteringChatClient(inner, _kernel);
        var context = new LlmCallContext(s_pid, "a") { RemainingLlmCalls = 0 };

        Task<ChatResponse> call = client.GetResponseAsync(s_prompt, With(context));

        Assert.That(call.IsFaulted, Is.True);
        Assert.That(call.Exception?.InnerException, Is.TypeOf<LlmBudgetExceededException>());
        Assert.That(inner.Calls, Is.Zero);
    }

    [Test]
    public async Task GetResponseAsync_AnsweringLater_IsMeteredWhenTheAnswerArrives()
    {
        var answer = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new MeteringChatClient(new TestChatClient { GetResponseAsyncCallback = (_, _, _) => answer.Task }, _kernel);
        var context = new LlmCallContext(s_pid, "a");

        Task<ChatResponse> call = client.GetResponseAsync(s_prompt, With(context));
        Assert.That((call.IsCompleted, context.InputTokens), Is.EqualTo((false, 0L)));
        answer.SetResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 1 } });
        _ = await call;

        Assert.That((context.LlmCalls, context.InputTokens, context.OutputTokens), Is.EqualTo((1, 5L, 1L)));
    }
}
