using System.Text.Json.Nodes;
using Jeeves.Actor;
using Jeeves.Runtime;
using Microsoft.Extensions.Time.Testing;
using static Jeeves.Tests.Runtime.RuntimeTestKit;

namespace Jeeves.Tests.Runtime;

public sealed class PipelineRunnerTests
{
    private FakeTimeProvider _time = null!;
    private IKernelClient _kernel = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TestKernel.Epoch);
        _kernel = KernelClient.CreateInProcess(timeProvider: _time);
    }

    [TearDown]
    public async Task TearDown() => await ((IAsyncDisposable)_kernel).DisposeAsync();

    [Test]
    public async Task Runs_the_agents_the_kernel_names_in_order_and_completes()
    {
        var ran = new List<string>();
        int thinks = 0;
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", c => { ran.Add("understand"); return Obj(("intent", "question")); }),
            Code("think", c => { ran.Add("think"); return Obj(("again", ++thinks == 1)); }),
            Code("respond", c => { ran.Add("respond"); return Obj(("response", "Paris")); }));

        RunResult result = await Runner(_kernel, capability, _time).RunAsync(new RunRequest { Pipeline = "qa", Input = "capital of France?" });

        Assert.That(ran, Is.EqualTo(new[] { "understand", "think", "understand", "think", "respond" }));
        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(result.Response, Is.EqualTo("Paris"));
        Assert.That(result.OutputAgent, Is.EqualTo("respond"));
        Assert.That(result.Usage.AgentRuns, Is.EqualTo(5));
        Assert.That(result.Outputs.Keys, Is.SupersetOf(new[] { "understand", "think", "respond" }));
        ProcessInfo? process = await _kernel.Kernel.GetProcessAsync(result.ProcessId);
        Assert.That(process?.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task Without_process_retention_a_completed_run_leaves_nothing_in_the_kernel()
    {
        var options = new KernelOptions();
        options.Cleanup.ProcessRetention = TimeSpan.Zero;
        await using IKernelClient kernel = KernelClient.CreateInProcess(options, _time);
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", _ => Obj(("intent", "question"))),
            Code("think", _ => Obj(("again", false))),
            Code("respond", _ => Obj(("response", "Paris"))));

        RunResult result = await Runner(kernel, capability, _time).RunAsync(new RunRequest { Pipeline = "qa", Input = "capital of France?" });

        Assert.That((result.TerminalReason, result.Response), Is.EqualTo(((TerminalReason?)TerminalReason.Completed, "Paris")));
        Assert.That(result.Outputs.Keys, Is.SupersetOf(new[] { "understand", "think", "respond" }), "the final envelope came with the last instruction");
        Assert.That(await kernel.Kernel.GetProcessAsync(result.ProcessId), Is.Null);
        SystemStatus status = await kernel.Kernel.GetSystemStatusAsync();
        Assert.That((status.Processes.Total, status.ActiveOrchestrationSessions), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task Agents_see_the_input_the_shared_state_and_earlier_outputs()
    {
        JsonObject? seenByRespond = null;
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", c => { c.State["topic"] = "geography"; return Obj(("intent", "question")); }),
            Code("think", c => Obj(("again", false))),
            Code("respond", c =>
            {
                seenByRespond = Obj(
                    ("input", c.Input),
                    ("topic", c.State["topic"]?.DeepClone()),
                    ("history", c.State["history"]?.DeepClone()),
                    ("intent", c.Outputs["understand"]["intent"]?.DeepClone()),
                    ("user", c.UserId));
                return Obj(("response", "ok"));
            }));

        _ = await Runner(_kernel, capability, _time).RunAsync(new RunRequest
        {
            Pipeline = "qa",
            Input = "hi",
            UserId = "ada",
            State = Obj(("history", "none")),
        });

        Assert.That(seenByRespond?.ToJsonString(), Is.EqualTo("""{"input":"hi","topic":"geography","history":"none","intent":"question","user":"ada"}"""));
    }

    [Test]
    public async Task Stream_reports_each_step_and_ends_with_exactly_one_terminal_event()
    {
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", c => Obj()),
            Code("think", c => Obj(("again", false))),
            Code("respond", c => Obj(("response", "done"))));

        List<RunEvent> events = await CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));

        Assert.That(events[0], Is.InstanceOf<RunStarted>());
        Assert.That(events.Count(static e => e.IsTerminal), Is.EqualTo(1));
        Assert.That(events[^1], Is.InstanceOf<RunCompleted>());
        Assert.That(events.OfType<AgentStarted>().Select(static e => e.Agent), Is.EqualTo(new[] { "understand", "think", "respond" }));
        Assert.That(events.OfType<AgentCompleted>().Select(static e => e.Agent), Is.EqualTo(new[] { "understand", "think", "respond" }));
        Assert.That(((RunCompleted)events[^1]).Result.Response, Is.EqualTo("done"));
    }

    [Test]
    public async Task A_failing_agent_is_reported_as_failed_and_the_kernel_routes_on()
    {
        var pipeline = new PipelineConfig
        {
            Name = "qa",
            Stages =
            [
                new PipelineStage("understand", "understand", [RoutingRule.When("success", false, "respond"), RoutingRule.Always("think")]),
                new PipelineStage("think", "think"),
                new PipelineStage("respond", "respond"),
            ],
        };
        var ran = new List<string>();
        CapabilityDefinition capability = Capability(pipeline,
            Code("understand", _ => throw new InvalidOperationException("model unavailable")),
            Code("think", c => { ran.Add("think"); return Obj(); }),
            Code("respond", c => { ran.Add("respond"); return Obj(("response", "sorry")); }));

        List<RunEvent> events = await CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));

        AgentCompleted failed = events.OfType<AgentCompleted>().First();
        Assert.That(failed.Success, Is.False);
        Assert.That(failed.Error, Is.EqualTo("model unavailable"));
        Assert.That(ran, Is.EqualTo(new[] { "respond" }));
        Assert.That(((RunCompleted)events[^1]).Result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public async Task An_agent_failing_with_an_empty_message_reports_the_exception_type()
    {
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("only", "only")] };
        CapabilityDefinition capability = Capability(pipeline, Code("only", _ => throw new FormatException(string.Empty)));

        List<RunEvent> events = await CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));

        Assert.That(events.OfType<AgentCompleted>().Single().Error, Is.EqualTo(nameof(FormatException)));
    }

    [Test]
    public async Task Unknown_pipeline_ends_the_stream_with_a_failure_naming_the_registered_ones()
    {
        CapabilityDefinition capability = Capability(ThreeStages(), Code("understand", _ => Obj()), Code("think", _ => Obj()), Code("respond", _ => Obj()));

        List<RunEvent> events = await CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "nope", Input = "x" }));

        Assert.That(events, Has.Count.EqualTo(1));
        Assert.That(((RunFailed)events[0]).Error, Is.EqualTo("Unknown pipeline 'nope'. Registered pipelines: [qa]"));
    }

    [Test]
    public async Task Agent_hop_budget_ends_the_run_with_the_partial_result()
    {
        CapabilityDefinition capability = Capability(ThreeStages(maxIterations: 100, maxAgentHops: 4),
            Code("understand", _ => Obj(("step", "understood"))),
            Code("think", _ => Obj(("again", true))),
            Code("respond", _ => Obj(("response", "never"))));

        RunResult result = await Runner(_kernel, capability, _time).RunAsync(new RunRequest { Pipeline = "qa", Input = "x" });

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.MaxAgentHopsExceeded));
        Assert.That(result.IsCompleted, Is.False);
        Assert.That(result.Output, Is.Not.Null);
        Assert.That(result.Usage.AgentRuns, Is.EqualTo(4));
    }

    [Test]
    public async Task Cancelling_ends_the_process_as_user_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("slow", "slow")] };
        CapabilityDefinition capability = Capability(pipeline, new AgentDefinition
        {
            Name = "slow",
            Handler = async (_, ct) =>
            {
                blocked.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                return [];
            },
        });
        var pid = ProcessId.New();

        Task<RunResult> run = Runner(_kernel, capability, _time).RunAsync(new RunRequest { Pipeline = "qa", Input = "x", ProcessId = pid }, cancel.Token);
        await blocked.Task;
        await cancel.CancelAsync();

        Assert.That(async () => await run, Throws.InstanceOf<OperationCanceledException>());
        ProcessInfo? process = await _kernel.Kernel.GetProcessAsync(pid);
        Assert.That(process?.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task Cancelling_a_stream_ends_it_with_one_user_cancelled_terminal_event()
    {
        using var cancel = new CancellationTokenSource();
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("slow", "slow")] };
        CapabilityDefinition capability = Capability(pipeline, new AgentDefinition
        {
            Name = "slow",
            Handler = async (_, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                return [];
            },
        });

        var events = new List<RunEvent>();
        await foreach (RunEvent e in Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }, cancel.Token))
        {
            events.Add(e);
            if (e is AgentStarted)
            {
                await cancel.CancelAsync();
            }
        }

        Assert.That(events.Count(static e => e.IsTerminal), Is.EqualTo(1));
        Assert.That(((RunCompleted)events[^1]).Result.TerminalReason, Is.EqualTo(TerminalReason.UserCancelled));
    }

    [Test]
    public async Task Leaving_a_stream_early_cancels_the_run_and_ends_its_process()
    {
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("slow", "slow")] };
        CapabilityDefinition capability = Capability(pipeline, new AgentDefinition
        {
            Name = "slow",
            Handler = async (_, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                return [];
            },
        });
        var pid = ProcessId.New();

        await foreach (RunEvent e in Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x", ProcessId = pid }))
        {
            if (e is AgentStarted)
            {
                break;
            }
        }

        ProcessInfo? process = await _kernel.Kernel.GetProcessAsync(pid);
        Assert.That(process?.State, Is.EqualTo(ProcessState.Terminated));
    }

    [Test]
    public async Task An_agent_timeout_fails_the_agent_with_a_message_naming_it()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("slow", "slow")] };
        CapabilityDefinition capability = Capability(pipeline, new AgentDefinition
        {
            Name = "slow",
            Timeout = TimeSpan.FromSeconds(2),
            Handler = async (_, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                return [];
            },
        });

        Task<List<RunEvent>> run = CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));
        await started.Task;
        _time.Advance(TimeSpan.FromSeconds(2));
        List<RunEvent> events = await run;

        Assert.That(events.OfType<AgentCompleted>().Single().Error, Is.EqualTo("Agent 'slow' timed out after 2s"));
    }

    [Test]
    public async Task Each_step_gets_its_whole_timeout_even_after_a_step_that_timed_out()
    {
        var started = new SemaphoreSlim(0);
        async ValueTask<JsonObject> Wait(TimeSpan delay, CancellationToken ct)
        {
            Task waiting = Task.Delay(delay, _time, ct);      // on the clock before the test advances it
            _ = started.Release();
            await waiting;
            return Obj(("waited", delay.TotalSeconds));
        }

        var pipeline = new PipelineConfig
        {
            Name = "qa",
            Stages =
            [
                new PipelineStage("first", "first", [RoutingRule.Always("second")]),
                new PipelineStage("second", "second", [RoutingRule.Always("third")]),
                new PipelineStage("third", "third"),
            ],
        };
        TimeSpan limit = TimeSpan.FromSeconds(2);
        CapabilityDefinition capability = Capability(
            pipeline,
            new AgentDefinition { Name = "first", Timeout = limit, Handler = (_, ct) => Wait(TimeSpan.FromSeconds(1.5), ct) },
            new AgentDefinition { Name = "second", Timeout = limit, Handler = (_, ct) => Wait(Timeout.InfiniteTimeSpan, ct) },
            new AgentDefinition { Name = "third", Timeout = limit, Handler = (_, ct) => Wait(TimeSpan.FromSeconds(1.5), ct) });

        Task<List<RunEvent>> run = CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));
        await started.WaitAsync();
        _time.Advance(TimeSpan.FromSeconds(1.5));       // first finishes within its 2 s
        await started.WaitAsync();
        _time.Advance(TimeSpan.FromSeconds(1.5));       // second's own 2 s are not up yet: 3 s into the run, 1.5 s into the step
        Assert.That(run.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(0.5));       // now they are
        await started.WaitAsync();
        _time.Advance(TimeSpan.FromSeconds(1.5));       // third, after a step that timed out, still has its whole 2 s
        List<RunEvent> events = await run;

        AgentCompleted[] completed = [.. events.OfType<AgentCompleted>()];
        Assert.That(completed.Select(c => (c.Agent, c.Success)), Is.EqualTo(new[] { ("first", true), ("second", false), ("third", true) }));
        Assert.That(completed[1].Error, Is.EqualTo("Agent 'second' timed out after 2s"));
        Assert.That(events[^1], Is.TypeOf<RunCompleted>());
    }

    [Test]
    public async Task Cancelling_during_a_later_step_ends_the_run_as_cancelled_not_as_a_timeout()
    {
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", _ => Obj()),
            Code("think", _ => Obj(("again", false))),
            new AgentDefinition
            {
                Name = "respond",
                Handler = async (_, ct) =>
                {
                    started.SetResult();
                    await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                    return [];
                },
            });

        Task<List<RunEvent>> run = CollectAsync(Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }, cancel.Token));
        await started.Task;
        await cancel.CancelAsync();
        List<RunEvent> events = await run;

        Assert.That(events.OfType<AgentCompleted>().Select(c => c.Agent), Is.EqualTo(new[] { "understand", "think" }), "the cancelled step reports nothing");
        Assert.That(events[^1], Is.TypeOf<RunCompleted>());
        Assert.That(((RunCompleted)events[^1]).Result.TerminalReason, Is.EqualTo(TerminalReason.UserCancelled));
    }

    [Test]
    public async Task A_clarification_pauses_the_run_and_the_answer_resumes_it_at_the_resume_stage()
    {
        var ran = new List<string>();
        CapabilityDefinition capability = Capability(ThreeStages(),
            Code("understand", c =>
            {
                ran.Add("understand");
                if (c.LastInterrupt?.Response?.Text is { } answer)
                {
                    return Obj(("intent", answer));
                }

                c.RequestInterrupt(InterruptKind.Clarification, "Which city?");
                return Obj(("intent", "unclear"));
            }),
            Code("think", c => { ran.Add("think"); return Obj(("again", false)); }),
            Code("respond", c => { ran.Add("respond"); return Obj(("response", "About " + c.Outputs["understand"]["intent"])); }));

        var events = new List<RunEvent>();
        await foreach (RunEvent e in Runner(_kernel, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "tell me", UserId = "ada" }))
        {
            events.Add(e);
            if (e is InterruptRaised raised)
            {
                Assert.That(raised.Interrupt.Question, Is.EqualTo("Which city?"));
                Assert.That(raised.Interrupt.Kind, Is.EqualTo(InterruptKind.Clarification));
                bool resolved = await _kernel.Interrupts.ResolveAsync(raised.Interrupt.Id, new InterruptResponse { Text = "Paris" }, "ada");
                Assert.That(resolved, Is.True);
            }
        }

        Assert.That(ran, Is.EqualTo(new[] { "understand", "understand", "think", "respond" }));
        Assert.That(events.OfType<InterruptEnded>().Single().Interrupt.Status, Is.EqualTo(InterruptStatus.Resolved));
        RunResult result = ((RunCompleted)events[^1]).Result;
        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.Completed));
        Assert.That(result.Response, Is.EqualTo("About Paris"));
    }

    [Test]
    public async Task Force_replaces_an_existing_session_for_the_process()
    {
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("one", "one")] };
        CapabilityDefinition capability = Capability(pipeline, Code("one", _ => Obj(("response", "r"))));
        PipelineRunner runner = Runner(_kernel, capability, _time);
        var pid = ProcessId.New();
        _ = await _kernel.Orchestration.InitializeSessionAsync(pid, pipeline, Envelope.Create(_time.GetUtcNow()));

        RunResult refused = await runner.RunAsync(new RunRequest { Pipeline = "qa", Input = "x", ProcessId = pid });
        RunResult replaced = await runner.RunAsync(new RunRequest { Pipeline = "qa", Input = "x", ProcessId = pid, Force = true });

        Assert.That(refused.TerminalReason, Is.Null);
        Assert.That(refused.Error, Does.Contain("already exists"));
        Assert.That(replaced.TerminalReason, Is.EqualTo(TerminalReason.Completed));
    }

    [Test]
    public async Task Leaving_a_stream_early_while_the_run_waits_for_room_ends_the_run_without_hanging()
    {
        var mock = new Jeeves.Llm.MockChatClient(_time);
        _ = mock.On().Reply(new Jeeves.Llm.MockReply { Chunks = [.. Enumerable.Range(0, 50).Select(static i => $"w{i} ")] });
        CapabilityDefinition capability = new CapabilityBuilder("c")
            .AddPrompt("say", "{raw_input}")
            .AddAgent(new AgentDefinition { Name = "talk", Prompt = "say", OutputMode = AgentOutputMode.Text, StreamTokens = true })
            .AddPipeline(new PipelineConfig { Name = "qa", Stages = [new PipelineStage("talk", "talk")] })
            .Build();
        var pid = ProcessId.New();
        PipelineRunner runner = Runner(_kernel, capability, _time, new PipelineRunnerOptions { ChatClient = mock, EventBufferCapacity = 1 });

        async Task ReadOneTokenAsync()
        {
            await foreach (RunEvent e in runner.StreamAsync(new RunRequest { Pipeline = "qa", Input = "x", ProcessId = pid }))
            {
                if (e is TokenDelta)
                {
                    break;
                }
            }
        }

        await ReadOneTokenAsync().WaitAsync(TimeSpan.FromSeconds(30));     // a guard against a hang, not a wait

        Assert.That((await _kernel.Kernel.GetProcessAsync(pid))?.State, Is.EqualTo(ProcessState.Terminated));
        mock.Dispose();
    }

    [Test]
    public async Task An_unexpected_failure_in_the_runner_still_ends_the_stream_with_one_RunFailed()
    {
        var pipeline = new PipelineConfig { Name = "qa", Stages = [new PipelineStage("one", "one")] };
        CapabilityDefinition capability = Capability(pipeline, Code("one", _ => Obj()));
        await using var broken = new BrokenOrchestrationKernel(_kernel);

        List<RunEvent> events = await CollectAsync(Runner(broken, capability, _time).StreamAsync(new RunRequest { Pipeline = "qa", Input = "x" }));

        Assert.That(events.Count(static e => e.IsTerminal), Is.EqualTo(1));
        Assert.That(((RunFailed)events[^1]).Error, Is.EqualTo("The runner failed: instruction source broke"));
    }

    /// <summary>A kernel whose orchestration breaks with an exception no kernel client should throw.</summary>
    private sealed class BrokenOrchestrationKernel(IKernelClient inner) : IKernelClient, IOrchestrationService
    {
        public IKernelService Kernel => inner.Kernel;

        public IEngineService Engine => inner.Engine;

        public IOrchestrationService Orchestration => this;

        public ICommBusService CommBus => inner.CommBus;

        public IInterruptService Interrupts => inner.Interrupts;

        public IToolService Tools => inner.Tools;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public Task<SessionState> InitializeSessionAsync(ProcessId processId, PipelineConfig config, Envelope envelope, bool force = false, CancellationToken cancellationToken = default) =>
            inner.Orchestration.InitializeSessionAsync(processId, config, envelope, force, cancellationToken);

        public Task<Instruction> GetNextInstructionAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("instruction source broke");

        public Task<Instruction> ReportAgentResultAsync(ProcessId processId, AgentResult result, CancellationToken cancellationToken = default) =>
            inner.Orchestration.ReportAgentResultAsync(processId, result, cancellationToken);

        public Task<SessionState> GetSessionStateAsync(ProcessId processId, CancellationToken cancellationToken = default) =>
            inner.Orchestration.GetSessionStateAsync(processId, cancellationToken);
    }
}
