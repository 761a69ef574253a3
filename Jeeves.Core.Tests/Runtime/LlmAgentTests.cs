using System.Text.Json;
using System.Text.Json.Nodes;
using Jeeves.Actor;
using Jeeves.Llm;
using Jeeves.Runtime;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using static Jeeves.Tests.Runtime.RuntimeTestKit;

namespace Jeeves.Tests.Runtime;

/// <summary>LLM and tool-using agents through the runner, on the scriptable mock model.</summary>
public sealed class LlmAgentTests
{
    private static readonly ToolEntry Lookup = new()
    {
        Id = "lookup",
        Description = "Looks a word up",
        Parameters = [new ToolParameter("word", ToolParameterType.String)],
    };

    private FakeTimeProvider _time = null!;
    private IKernelClient _kernel = null!;
    private MockChatClient _mock = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(TestKernel.Epoch);
        _kernel = KernelClient.CreateInProcess(timeProvider: _time);
        _mock = new MockChatClient(_time);
    }

    [TearDown]
    public async Task TearDown()
    {
        _mock.Dispose();
        await ((IAsyncDisposable)_kernel).DisposeAsync();
    }

    [Test]
    public async Task A_model_tool_call_takes_the_governed_path_and_the_model_sees_the_result()
    {
        _ = _mock.On(agentName: "researcher").ReplyOnce(MockReply.FromToolCalls(new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["word"] = "kernel" })))
            .On(agentName: "researcher").Reply(call => MockReply.FromText(
                $$"""{"answer": "found", "saw": {{JsonSerializer.Serialize(call.Messages[^1].Text)}}}"""));

        List<RunEvent> events = await CollectAsync(Runner(Researcher(["lookup"])).StreamAsync(new RunRequest { Pipeline = "p", Input = "define kernel" }));

        ToolStarted started = events.OfType<ToolStarted>().Single();
        Assert.That((started.Tool, started.CallId, started.Arguments.ToJsonString()), Is.EqualTo(("lookup", "c1", """{"word":"kernel"}""")));
        Assert.That(events.OfType<ToolCompleted>().Single().Succeeded, Is.True);
        AgentCompleted done = events.OfType<AgentCompleted>().Single();
        Assert.That(done.Metrics.LlmCalls, Is.EqualTo(2));
        Assert.That(done.Metrics.ToolCalls, Is.EqualTo(1));
        Assert.That(done.Output["answer"]!.GetValue<string>(), Is.EqualTo("found"));
        Assert.That((await _kernel.Tools.CheckToolHealthAsync("lookup")).TotalCalls, Is.EqualTo(1));
        Assert.That(_mock.Calls[1].Messages.Any(static m => m.Contents.OfType<FunctionResultContent>().Any(r => r.CallId == "c1")), Is.True);
    }

    [Test]
    public async Task A_tool_the_agent_was_not_granted_is_never_offered_to_the_model()
    {
        _ = _mock.On(agentName: "researcher").Reply("""{"answer": "none"}""");

        _ = await Runner(Researcher([])).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(_mock.Calls.Single().Options?.Tools, Is.Null.Or.Empty);
    }

    [Test]
    public async Task A_reply_that_is_not_a_json_object_is_asked_for_again_once()
    {
        _ = _mock.On(agentName: "researcher").ReplyOnce("Sure! Here you go: [1, 2]")
            .On(agentName: "researcher").Reply("```json\n{\"answer\": \"repaired\",}\n```");

        RunResult result = await Runner(Researcher([])).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.Output!["answer"]!.GetValue<string>(), Is.EqualTo("repaired"));
        Assert.That(result.Usage.LlmCalls, Is.EqualTo(2));
        Assert.That(_mock.Calls[1].Messages[^1].Text, Does.StartWith("That reply was not a JSON object."));
    }

    [Test]
    public async Task A_reply_lacking_a_required_field_is_asked_for_again_naming_it()
    {
        _ = _mock.On(agentName: "researcher").ReplyOnce("""{"other": 1}""")
            .On(agentName: "researcher").Reply("""{"answer": "complete"}""");

        RunResult result = await Runner(Researcher([]) with { RequiredOutputFields = ["answer"] }).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.Output!["answer"]!.GetValue<string>(), Is.EqualTo("complete"));
        Assert.That(_mock.Calls[1].Messages[^1].Text, Does.Contain("answer"));
    }

    [Test]
    public async Task Text_that_never_becomes_json_is_kept_as_the_response()
    {
        _ = _mock.On(agentName: "researcher").Reply("plain words");

        RunResult result = await Runner(Researcher([]) with { OutputRetries = 0 }).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.Output!.ToJsonString(), Is.EqualTo("""{"response":"plain words"}"""));
    }

    [Test]
    public async Task A_tool_loop_that_outruns_the_llm_budget_is_refused_and_the_kernel_ends_the_run()
    {
        _ = _mock.On(agentName: "researcher").Reply(_ => MockReply.FromToolCalls(new FunctionCallContent("c" + Guid.NewGuid().ToString("N")[..6], "lookup", new Dictionary<string, object?> { ["word"] = "again" })));

        RunResult result = await Runner(Researcher(["lookup"]) with { MaxToolRounds = 10 }, maxLlmCalls: 3).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.TerminalReason, Is.EqualTo(TerminalReason.MaxLlmCallsExceeded));
        Assert.That(_mock.CallCount, Is.EqualTo(3), "the fourth call is refused before it reaches the model");
        Assert.That(result.Usage.LlmCalls, Is.EqualTo(3));
    }

    [Test]
    public async Task The_model_role_picks_its_own_client()
    {
        var special = new MockChatClient(_time);
        _ = special.On().Reply("""{"answer": "from the special model"}""");
        _ = _mock.On().Reply("""{"answer": "from the default model"}""");
        var options = new PipelineRunnerOptions { ChatClient = _mock, ChatClientForRole = role => role == "special" ? special : null };

        RunResult result = await Runner(Researcher([]) with { ModelRole = "special" }, options: options).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.Output!["answer"]!.GetValue<string>(), Is.EqualTo("from the special model"));
        Assert.That(_mock.CallCount, Is.Zero);
    }

    [Test]
    public async Task A_model_that_does_not_answer_times_the_agent_out_counting_from_the_steps_start()
    {
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = new Jeeves.Tests.Llm.TestChatClient
        {
            GetResponseAsyncCallback = async (_, _, ct) =>
            {
                _time.Advance(TimeSpan.FromSeconds(1.5));       // work before the model call first waits
                waiting.SetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                throw new InvalidOperationException("unreachable");
            },
        };

        Task<List<RunEvent>> run = CollectAsync(Runner(Researcher([]) with { Timeout = TimeSpan.FromSeconds(2) }, options: new PipelineRunnerOptions { ChatClient = model })
            .StreamAsync(new RunRequest { Pipeline = "p", Input = "x" }));
        await waiting.Task;
        Assert.That(run.IsCompleted, Is.False);
        _time.Advance(TimeSpan.FromSeconds(0.5));               // 2 s since the step started, 0.5 s since it first waited
        List<RunEvent> events = await run.WaitAsync(TimeSpan.FromSeconds(30));     // a guard against a hang, not a wait

        Assert.That(events.OfType<AgentCompleted>().Single().Error, Is.EqualTo("Agent 'researcher' timed out after 2s"));
    }

    [Test]
    public async Task The_kernel_stores_a_parsed_reply_as_the_model_gave_it()
    {
        _ = _mock.On(agentName: "researcher").Reply("""{"answer": "caf\u00e9", "n": 1.50, "nested": {"list": [1, {"k": null}]}}""");

        RunResult result = await Runner(Researcher([])).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        JsonElement expected = JsonElement.Parse("""{"answer":"café","n":1.50,"nested":{"list":[1,{"k":null}]}}""");
        Assert.That(JsonElement.DeepEquals(result.Outputs["researcher"], expected), Is.True, result.Outputs["researcher"].GetRawText());
        Assert.That(result.Output!["nested"]!["list"]![1]!["k"], Is.Null);
        Assert.That(result.Output["answer"]!.GetValue<string>(), Is.EqualTo("café"));
    }

    [Test]
    public async Task A_post_hook_change_to_a_parsed_reply_is_what_the_kernel_stores()
    {
        _ = _mock.On(agentName: "researcher").Reply("""{"answer": "raw"}""");
        AgentDefinition agent = Researcher([]) with
        {
            After = (context, _) =>
            {
                context.Output!["answer"] = "changed by the hook";
                return ValueTask.CompletedTask;
            },
        };

        RunResult result = await Runner(agent).RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(result.Outputs["researcher"].GetRawText(), Is.EqualTo("""{"answer":"changed by the hook"}"""));
    }

    [Test]
    public async Task Prompts_are_filled_from_the_input_earlier_outputs_and_the_run_state()
    {
        CapabilityDefinition capability = new CapabilityBuilder("c")
            .AddPrompt("ask", user: "Q: {raw_input} / intent {intent} / history {history} / {{braces}}", system: "You are {role_description}")
            .AddAgent(Code("classify", _ => Obj(("intent", "define"))))
            .AddAgent(new AgentDefinition { Name = "answer", Prompt = "ask", OutputMode = AgentOutputMode.Text })
            .AddPipeline(new PipelineConfig { Name = "p", Stages = [new PipelineStage("classify", "classify", [RoutingRule.Always("answer")]), new PipelineStage("answer", "answer")] })
            .Build();
        _ = _mock.On().Reply("ok [Doc 1]");

        RunResult result = await new PipelineRunner(_kernel, new CapabilityRegistry([capability]), new PipelineRunnerOptions { ChatClient = _mock }, _time)
            .RunAsync(new RunRequest { Pipeline = "p", Input = "what?", State = Obj(("history", "none")) });

        IReadOnlyList<ChatMessage> sent = _mock.Calls.Single().Messages;
        Assert.That(sent[0].Role, Is.EqualTo(ChatRole.System));
        Assert.That(sent[0].Text, Is.EqualTo("You are As the answer agent in this pipeline stage."));
        Assert.That(sent[1].Text, Is.EqualTo("Q: what? / intent define / history none / {braces}"));
        Assert.That(result.Output!.ToJsonString(), Is.EqualTo("""{"response":"ok [Doc 1]","citations":["Doc 1"]}"""));
    }

    private PipelineRunner Runner(AgentDefinition agent, int maxLlmCalls = 10, PipelineRunnerOptions? options = null)
    {
        CapabilityDefinition capability = new CapabilityBuilder("c")
            .AddPrompt("research", user: "{raw_input}")
            .AddTool(Lookup, (args, _) => ValueTask.FromResult(Obj(("definition", "a " + args["word"]!.GetValue<string>()))))
            .AddAgent(agent)
            .AddPipeline(new PipelineConfig { Name = "p", Stages = [new PipelineStage("research", agent.Name)], MaxLlmCalls = maxLlmCalls })
            .Build();
        return new PipelineRunner(_kernel, new CapabilityRegistry([capability]), options ?? new PipelineRunnerOptions { ChatClient = _mock }, _time);
    }

    private static AgentDefinition Researcher(string[] tools) => new()
    {
        Name = "researcher",
        Prompt = "research",
        Tools = tools,
    };
}
