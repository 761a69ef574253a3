using FsCheck;
using FsCheck.Fluent;
using Jeeves.Examples.HelloWorld;
using Jeeves.Ipc;
using Jeeves.Llm;
using Jeeves.Runtime;
using Jeeves.Tests.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Examples;

/// <summary>The HelloWorld chatbot end to end: a real kernel (in process and over TCP), the runner, and a mock or a real HTTP model.</summary>
public sealed class HelloWorldEndToEndTests
{
    private readonly List<IAsyncDisposable> _owned = [];
    private FakeTimeProvider _time = null!;
    private IKernelClient _kernel = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TestKernel.Epoch);
        _kernel = KernelClient.CreateInProcess(timeProvider: _time);
    }

    [TearDown]
    public async Task TearDown()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _owned.Clear();
        await ((IAsyncDisposable)_kernel).DisposeAsync();
    }

    [Test]
    public async Task Answers_on_the_mock_from_the_knowledge_base()
    {
        List<RunEvent> events = await StreamAsync(Runner(new MockChatClient(_time)), "What does the kernel do?");

        RunResult result = Terminal(events);
        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(events.OfType<AgentStarted>().Select(static e => e.Agent), Is.EqualTo(new[] { "understand", "think_knowledge", "respond" }));
        Assert.That(result.Response, Does.Contain("kernel").IgnoreCase);
        string firstSentence = result.Response!.Split("] ", 2)[1].Split(". ")[0];
        Assert.That(result.Response, Does.StartWith("["), "answers cite the knowledge section");
        Assert.That(KnowledgeBase.Sections.Values.Any(s => s.Contains(firstSentence, StringComparison.Ordinal)), Is.True, "the mock answers with sentences of the knowledge it was given");
        Assert.That(result.Output!["citations"]!.AsArray(), Is.Not.Empty);
        Assert.That(string.Concat(events.OfType<TokenDelta>().Select(static t => t.Text)).Trim(), Is.EqualTo(result.Response));
        Assert.That(result.Usage.LlmCalls, Is.EqualTo(2));
        Assert.That(result.Usage.TokensIn, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_clock_question_goes_through_the_get_time_tool()
    {
        List<RunEvent> events = await StreamAsync(Runner(new MockChatClient(_time)), "What time is it?");

        RunResult result = Terminal(events);
        Assert.That(events.OfType<AgentStarted>().Select(static e => e.Agent), Is.EqualTo(new[] { "understand", "think_tools", "respond" }));
        ToolCompleted tool = events.OfType<ToolCompleted>().Single();
        Assert.That(tool.Tool, Is.EqualTo("get_time"));
        Assert.That(tool.Succeeded, Is.True);
        Assert.That(result.Response, Does.Contain("2026-01-01"));
    }

    [Test]
    public async Task A_vague_question_pauses_for_clarification_and_the_answer_continues_the_run()
    {
        PipelineRunner runner = Runner(new MockChatClient(_time));
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(Request("help")))
        {
            events.Add(e);
            if (e is InterruptRaised raised)
            {
                Assert.That(raised.Interrupt.Question, Is.EqualTo(OnboardingCapability.ClarificationQuestion));
                Assert.That(await _kernel.Interrupts.ResolveAsync(raised.Interrupt.Id, new InterruptResponse { Text = "how routing works" }, "tester"), Is.True);
            }
        }

        RunResult result = Terminal(events);
        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(events.OfType<AgentStarted>().Select(static e => e.Agent), Is.EqualTo(new[] { "understand", "understand", "think_knowledge", "respond" }));
        Assert.That(result.Response, Is.Not.Empty);
    }

    [Test]
    public async Task A_budget_of_one_llm_call_ends_MAX_LLM_CALLS_EXCEEDED_with_the_partial_result()
    {
        PipelineRunner runner = Runner(new MockChatClient(_time), maxLlmCalls: 1);

        RunResult result = await runner.RunAsync(Request("What does the kernel do?"));

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.MaxLlmCallsExceeded));
        Assert.That(result.Usage.LlmCalls, Is.EqualTo(1));
        Assert.That(result.OutputAgent, Is.Not.Null.And.Not.EqualTo("respond"));
        Assert.That(result.Outputs.ContainsKey("understand"), Is.True);
    }

    [Test]
    public async Task Cancelling_mid_answer_ends_the_run_user_cancelled()
    {
        var mock = new MockChatClient(_time);
        _ = mock.On(agentName: "respond").Reply(new MockReply { Text = "slow answer", Delay = TimeSpan.FromMinutes(1) });
        PipelineRunner runner = Runner(mock);
        using var cancel = new CancellationTokenSource();
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(Request("What does the kernel do?"), cancel.Token))
        {
            events.Add(e);
            if (e is AgentStarted { Agent: "respond" })
            {
                await cancel.CancelAsync();
            }
        }

        RunResult result = Terminal(events);
        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.UserCancelled));
        Assert.That((await _kernel.Kernel.GetProcessAsync(result.ProcessId))?.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task Streams_the_tokens_an_OpenAI_compatible_server_sends()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync();
        _ = server.Enqueue(
            new ServerReply { Content = """{"intent": "architecture", "topic": "the kernel", "reasoning": "Asks how it is built."}""" },
            new ServerReply { Chunks = ["The kernel ", "governs ", "agents ", "[Overview]."] });
        IChatClient chat = OpenAIChatClientFactory.Create(server.CreateOptions());

        List<RunEvent> events = await StreamAsync(Runner(chat), "How is it built?");

        RunResult result = Terminal(events);
        Assert.That(events.OfType<TokenDelta>().Select(static t => t.Text), Is.EqualTo(new[] { "The kernel ", "governs ", "agents ", "[Overview]." }));
        Assert.That(result.Response, Is.EqualTo("The kernel governs agents [Overview]."));
        Assert.That(result.Output!["citations"]!.AsArray().Select(static c => c!.GetValue<string>()), Is.EqualTo(new[] { "Overview" }));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(2));
        Assert.That(server.LastCompletion.IsStreaming, Is.True);
        Assert.That(result.Usage.TokensIn, Is.EqualTo(22));
    }

    [Test]
    public async Task A_model_that_keeps_failing_ends_the_run_LLM_FAILED_FATALLY()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync();
        _ = server.Enqueue(new ServerReply { Status = 500 }, new ServerReply { Status = 500 }, new ServerReply { Status = 500 });
        IChatClient chat = OpenAIChatClientFactory.Create(server.CreateOptions(o => o.MaxRetries = 1));

        RunResult result = await Runner(chat).RunAsync(Request("What does the kernel do?"));

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.LlmFailedFatally));
        Assert.That(result.Error, Does.StartWith("LLM call for agent 'understand' failed"));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(2), "one call and one retry");
        Assert.That((await _kernel.Kernel.GetProcessAsync(result.ProcessId))?.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task A_rate_limited_model_is_retried_after_its_retry_after_and_the_run_completes()
    {
        await using OpenAICompatibleServer server = await OpenAICompatibleServer.StartAsync();
        _ = server.Enqueue(
            new ServerReply { Status = 429, Headers = new Dictionary<string, string> { ["retry-after-ms"] = "10" } },
            new ServerReply { Content = """{"intent": "concept", "topic": "envelope", "reasoning": "Asks for a definition."}""" },
            new ServerReply { Content = "An envelope carries one request through a pipeline." });
        IChatClient chat = OpenAIChatClientFactory.Create(server.CreateOptions(o => o.MaxRetries = 2));

        RunResult result = await Runner(chat).RunAsync(Request("What is an envelope?"));

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(result.Response, Is.EqualTo("An envelope carries one request through a pipeline."));
        Assert.That(server.CompletionRequestCount, Is.EqualTo(3));
    }

    [Test]
    public async Task Gives_the_same_answer_through_a_kernel_over_TCP()
    {
        var host = new KernelTcpHost(_kernel, new TcpHostOptions { Port = 0 });
        await host.StartAsync(CancellationToken.None);
        _owned.Add(new AsyncDisposer(() => host.StopAsync(CancellationToken.None)));
        TcpKernelClient remote = await TcpKernelClient.ConnectAsync(host.LocalEndPoint!);
        _owned.Add(remote);

        List<RunEvent> local = await StreamAsync(Runner(new MockChatClient(_time)), "How do I add a tool?");
        List<RunEvent> overTcp = await StreamAsync(Runner(new MockChatClient(_time), kernel: remote), "How do I add a tool?");

        Assert.That(Terminal(overTcp).TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(Terminal(overTcp).Response, Is.EqualTo(Terminal(local).Response));
        Assert.That(overTcp.Select(Describe), Is.EqualTo(local.Select(Describe)));

        List<RunEvent> toolOverTcp = await StreamAsync(Runner(new MockChatClient(_time), kernel: remote), "What time is it?");
        Assert.That(toolOverTcp.OfType<ToolCompleted>().Single().Succeeded, Is.True, "the governed tool path works over TCP: grant, circuit, defaults, validation, health");
        Assert.That((await remote.Tools.CheckToolHealthAsync("get_time")).TotalCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_clarification_answered_over_TCP_reaches_the_agent()
    {
        var host = new KernelTcpHost(_kernel, new TcpHostOptions { Port = 0 });
        await host.StartAsync(CancellationToken.None);
        _owned.Add(new AsyncDisposer(() => host.StopAsync(CancellationToken.None)));
        TcpKernelClient remote = await TcpKernelClient.ConnectAsync(host.LocalEndPoint!);
        _owned.Add(remote);
        var mock = new MockChatClient(_time);
        PipelineRunner runner = new(remote, new CapabilityRegistry([CapabilityDefinition.From(new OnboardingCapability(_time))]), new PipelineRunnerOptions { ChatClient = mock, InterruptRecheckInterval = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);

        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(Request("help")))
        {
            events.Add(e);
            if (e is InterruptRaised raised)
            {
                _ = await remote.Interrupts.ResolveAsync(raised.Interrupt.Id, new InterruptResponse { Text = "how routing works" }, "tester");
            }
        }

        Assert.That(events.OfType<InterruptEnded>().Single().Interrupt.Response?.Text, Is.EqualTo("how routing works"));
        Assert.That(mock.Calls.Count(static c => c.AgentName == "understand"), Is.EqualTo(2));
        Assert.That(mock.Calls.Last(static c => c.AgentName == "understand").Messages[^1].Text, Does.Contain("how routing works"));
        Assert.That(Terminal(events).Response, Does.Contain("rout").IgnoreCase);
    }

    [Test]
    public async Task Runs_under_the_generic_host_with_AddJeevesKernel_and_AddCapability()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddJeevesKernel().AddCapability(new OnboardingCapability(_time)).AddMockChatClient();
        using IHost host = builder.Build();
        await host.StartAsync();

        RunResult result = await host.Services.GetRequiredService<PipelineRunner>().RunAsync(Request("What is a capability?"));
        await host.StopAsync();

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(result.Response, Is.Not.Empty);
    }

    [Test]
    public void A_capability_with_an_unknown_part_stops_the_host_at_start()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddJeevesKernel().AddCapability("broken", c => c.AddPipeline(new PipelineConfig { Name = "p", Stages = [new PipelineStage("s", "ghost")] }));
        using IHost host = builder.Build();

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("stage 's' uses unknown agent 'ghost'"));
    }

    [FsCheck.NUnit.Property(MaxTest = 40)]
    public async Task<bool> Any_question_ends_with_one_terminal_event_and_usage_equal_to_the_sum_of_its_agents(NonEmptyString question)
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using IKernelClient kernel = KernelClient.CreateInProcess(timeProvider: time);
        PipelineRunner runner = Runner(new MockChatClient(time), kernel: kernel, time: time);
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(Request(question.Get)))
        {
            events.Add(e);
            if (e is InterruptRaised r)
            {
                _ = await kernel.Interrupts.ResolveAsync(r.Interrupt.Id, new InterruptResponse { Text = "the kernel" }, "tester");
            }
        }

        List<AgentCompleted> agents = [.. events.OfType<AgentCompleted>()];
        RunResult result = Terminal(events);
        return events.Count(static e => e.IsTerminal) == 1 && events[^1].IsTerminal
            && result.Usage.AgentRuns == agents.Count
            && result.Usage.LlmCalls == agents.Sum(static a => a.Metrics.LlmCalls)
            && result.Usage.TokensIn == agents.Sum(static a => a.Metrics.TokensIn ?? 0)
            && result.Usage.TokensOut == agents.Sum(static a => a.Metrics.TokensOut ?? 0)
            && result.Usage.LlmCalls <= 6;
    }

    private PipelineRunner Runner(IChatClient chat, int maxLlmCalls = 6, IKernelClient? kernel = null, TimeProvider? time = null)
    {
        time ??= _time;
        CapabilityDefinition capability = CapabilityDefinition.From(new OnboardingCapability(time, maxLlmCalls));
        return new PipelineRunner(kernel ?? _kernel, new CapabilityRegistry([capability]), new PipelineRunnerOptions { ChatClient = chat }, time);
    }

    private static RunRequest Request(string question) => new()
    {
        Pipeline = OnboardingCapability.Pipeline,
        Input = question,
        UserId = "tester",
    };

    private static async Task<List<RunEvent>> StreamAsync(PipelineRunner runner, string question)
    {
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(Request(question)))
        {
            events.Add(e);
        }

        return events;
    }

    private static RunResult Terminal(List<RunEvent> events) => events[^1] switch
    {
        RunCompleted c => c.Result,
        RunFailed f => throw new AssertionException("run failed: " + f.Error),
        _ => throw new AssertionException("no terminal event"),
    };

    private static string Describe(RunEvent e) => e switch
    {
        AgentStarted s => "start " + s.Agent,
        AgentCompleted c => $"end {c.Agent} {c.Success} {c.Output.ToJsonString()}",
        TokenDelta t => "token " + t.Text,
        ToolCompleted t => "tool " + t.Tool,
        RunCompleted r => "completed " + r.Result.TerminalReason,
        _ => e.GetType().Name,
    };

    private sealed class AsyncDisposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }
}
