using System.Text.Json.Nodes;
using Jeeves.Actor;
using Jeeves.Runtime;
using Microsoft.Extensions.Time.Testing;
using static Jeeves.Tests.Runtime.RuntimeTestKit;

namespace Jeeves.Tests.Runtime;

public sealed class GovernedToolTests
{
    private static readonly ToolEntry Add = new()
    {
        Id = "add",
        Description = "Adds two integers",
        Parameters = [new ToolParameter("a", ToolParameterType.Int), new ToolParameter("b", ToolParameterType.Int, Default: 10)],
    };

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
    public async Task A_tool_call_is_validated_filled_with_defaults_run_and_recorded()
    {
        (JsonObject result, List<RunEvent> events) = await CallAsync("add", Obj(("a", 1), ("b", null)), ["add"]);

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("success"));
        Assert.That(result["data"]!["sum"]!.GetValue<int>(), Is.EqualTo(11));
        Assert.That(result["execution_time_ms"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(0));
        ToolStarted started = events.OfType<ToolStarted>().Single();
        Assert.That(started.Arguments.ToJsonString(), Is.EqualTo("""{"a":1,"b":10}"""));
        Assert.That(events.OfType<ToolCompleted>().Single().Succeeded, Is.True);
        Assert.That(events.OfType<AgentCompleted>().Single().Metrics.ToolCalls, Is.EqualTo(1));
        ToolHealthReport health = await _kernel.Tools.CheckToolHealthAsync("add");
        Assert.That(health.TotalCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task Arguments_that_do_not_fit_the_catalog_are_refused_with_the_kernels_messages()
    {
        (JsonObject result, List<RunEvent> events) = await CallAsync("add", Obj(("a", "one")), ["add"]);

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(result["error_type"]!.GetValue<string>(), Is.EqualTo("validation_error"));
        Assert.That(result["error"]!.GetValue<string>(), Does.StartWith("Parameter validation failed: "));
        Assert.That(result["validation_errors"]!.AsArray(), Is.Not.Empty);
        Assert.That(events.OfType<ToolStarted>(), Is.Empty);
    }

    [Test]
    public async Task A_tool_the_agent_does_not_list_is_rejected()
    {
        (JsonObject result, _) = await CallAsync("add", Obj(("a", 1)), []);

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
        Assert.That(result["error_type"]!.GetValue<string>(), Is.EqualTo("access_denied"));
        Assert.That(result["error"]!.GetValue<string>(), Is.EqualTo("Agent 'caller' is not authorized to use tool 'add'. Allowed tools: []"));
    }

    [Test]
    public async Task Access_revoked_in_the_kernel_is_rejected_even_when_the_agent_lists_the_tool()
    {
        PipelineRunner runner = Runner(out _, "add", Obj(("a", 1)), ["add"]);
        _ = await runner.RunAsync(new RunRequest { Pipeline = "p", Input = "x" });     // registers and grants
        await _kernel.Tools.RevokeToolAccessAsync("caller", "add");

        RunResult second = await runner.RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(second.Output!["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
    }

    [Test]
    public async Task A_throwing_tool_becomes_an_error_result_named_by_the_exception_type()
    {
        (JsonObject result, _) = await CallAsync("boom", [], ["boom"]);

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("error"));
        Assert.That(result["error"]!.GetValue<string>(), Is.EqualTo("kaput"));
        Assert.That(result["error_type"]!.GetValue<string>(), Is.EqualTo(nameof(InvalidOperationException)));
    }

    [Test]
    public async Task A_tool_reporting_status_error_is_a_tool_error()
    {
        (JsonObject result, _) = await CallAsync("soft_fail", [], ["soft_fail"]);

        Assert.That(result.ToJsonString(), Does.Contain("\"status\":\"error\",\"error\":\"no data\",\"error_type\":\"tool_error\""));
    }

    [Test]
    public async Task A_slow_tool_times_out_with_error_type_timeout()
    {
        var options = new PipelineRunnerOptions { ToolTimeout = TimeSpan.FromSeconds(3) };
        PipelineRunner runner = Runner(out Func<JsonObject?> last, "hang", [], ["hang"], options);
        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.StreamAsync(new RunRequest { Pipeline = "p", Input = "x" }))
        {
            events.Add(e);
            if (e is ToolStarted)
            {
                _time.Advance(TimeSpan.FromSeconds(3));
            }
        }

        JsonObject result = last()!;
        Assert.That(result["error_type"]!.GetValue<string>(), Is.EqualTo("timeout"));
        Assert.That(result["error"]!.GetValue<string>(), Is.EqualTo("Tool 'hang' timed out after 3s"));
    }

    [Test]
    public async Task Repeated_failures_open_the_circuit_and_later_calls_are_refused_without_running()
    {
        int runs = 0;
        PipelineRunner runner = Runner(out Func<JsonObject?> last, "boom", [], ["boom"], onBoom: () => runs++);
        for (int i = 0; i < 5; i++)
        {
            _ = await runner.RunAsync(new RunRequest { Pipeline = "p", Input = "x" });
        }

        int before = runs;
        _ = await runner.RunAsync(new RunRequest { Pipeline = "p", Input = "x" });

        Assert.That(await _kernel.Tools.ShouldCircuitBreakAsync("boom"), Is.True);
        Assert.That(runs, Is.EqualTo(before));
        Assert.That(last()!["error_type"]!.GetValue<string>(), Is.EqualTo("circuit_open"));
    }

    [Test]
    public void Null_filtering_removes_exactly_the_null_values()
    {
        JsonObject filtered = ToolInvoker.DropNulls(Obj(("a", null), ("b", ""), ("c", 0), ("d", false), ("e", "x")));

        Assert.That(filtered.ToJsonString(), Is.EqualTo("""{"b":"","c":0,"d":false,"e":"x"}"""));
    }

    [Test]
    public void Tool_schema_lists_types_defaults_and_required_parameters()
    {
        var entry = new ToolEntry
        {
            Id = "t",
            Parameters =
            [
                new ToolParameter("q", ToolParameterType.String, "the query"),
                new ToolParameter("n", ToolParameterType.Int, Default: 5),
                new ToolParameter("mode", ToolParameterType.Enum("fast", "slow")),
                new ToolParameter("tags", ToolParameterType.Optional(ToolParameterType.StringList)),
            ],
        };

        string schema = GovernedToolFunction.BuildSchema(entry).GetRawText();

        Assert.That(schema, Is.EqualTo("""{"type":"object","properties":{"q":{"type":"string","description":"the query"},"n":{"type":"integer","default":5},"mode":{"type":"string","enum":["fast","slow"]},"tags":{"type":"array","items":{"type":"string"}}},"required":["q","mode"]}"""));
    }

    private async Task<(JsonObject Result, List<RunEvent> Events)> CallAsync(string tool, JsonObject args, string[] allowed)
    {
        PipelineRunner runner = Runner(out Func<JsonObject?> last, tool, args, allowed);
        List<RunEvent> events = await CollectAsync(runner.StreamAsync(new RunRequest { Pipeline = "p", Input = "x" }));
        return (last()!, events);
    }

    private PipelineRunner Runner(out Func<JsonObject?> last, string tool, JsonObject args, string[] allowed, PipelineRunnerOptions? options = null, Action? onBoom = null)
    {
        JsonObject? result = null;
        last = () => result;
        CapabilityDefinition capability = new CapabilityBuilder("tools")
            .AddTool(Add, (a, _) => ValueTask.FromResult(Obj(("sum", a["a"]!.GetValue<int>() + a["b"]!.GetValue<int>()))))
            .AddTool(new ToolEntry { Id = "boom" }, (_, _) =>
            {
                onBoom?.Invoke();
                throw new InvalidOperationException("kaput");
            })
            .AddTool(new ToolEntry { Id = "soft_fail" }, (_, _) => ValueTask.FromResult(Obj(("status", "error"), ("error", "no data"))))
            .AddTool(new ToolEntry { Id = "hang" }, async (_, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct);
                return [];
            })
            .AddAgent(new AgentDefinition
            {
                Name = "caller",
                Tools = allowed,
                Handler = async (ctx, ct) =>
                {
                    result = await ctx.CallToolAsync(tool, (JsonObject)args.DeepClone(), ct);
                    return result;
                },
            })
            .AddPipeline(new PipelineConfig { Name = "p", Stages = [new PipelineStage("call", "caller")] })
            .Build();
        return RuntimeTestKit.Runner(_kernel, capability, _time, options);
    }
}
