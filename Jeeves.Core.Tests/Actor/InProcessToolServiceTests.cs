using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Actor;

/// <summary>The in-process tools service: all fifteen methods through the actor.</summary>
public sealed class InProcessToolServiceTests
{
    [Test]
    public async Task AllMethods_EndToEnd()
    {
        var time = new FakeTimeProvider(TestKernel.Epoch);
        await using IKernelClient client = KernelClient.CreateInProcess(timeProvider: time);
        IToolService tools = client.Tools;
        var entry = new ToolEntry
        {
            Id = "search_web",
            Description = "Search the web",
            Parameters = [new("query", ToolParameterType.String), new("max_results", ToolParameterType.Int, Default: JsonValue.Create(10))],
        };

        Assert.That(await tools.RegisterToolAsync(entry), Is.EqualTo(ToolRegistration.Added));
        Assert.That(await tools.GetToolEntryAsync("search_web"), Is.EqualTo(entry));
        Assert.That(await tools.GetToolEntryAsync("nope"), Is.Null);
        Assert.That((await tools.ListToolsAsync()).Select(t => t.Id), Is.EqualTo(new[] { "search_web" }));
        Assert.That((await tools.ValidateToolParamsAsync("search_web", new JsonObject { ["query"] = "x" })).IsValid, Is.True);
        Assert.That((await tools.ValidateToolParamsAsync("search_web", new JsonObject())).Errors, Is.EqualTo(new[] { "Missing required parameter: query" }));
        Assert.That((await tools.FillDefaultsAsync("search_web", new JsonObject { ["query"] = "x" }))!.ToJsonString(), Is.EqualTo("""{"query":"x","max_results":10}"""));
        Assert.That(await tools.GenerateToolPromptAsync(), Is.EqualTo("Available tools:\n- search_web(query: string, max_results?: integer): Search the web"));

        await tools.GrantToolAccessAsync("planner", ["search_web", "calc"]);
        await tools.RevokeToolAccessAsync("planner", "calc");
        Assert.That(await tools.CheckToolAccessAsync("planner", "search_web"), Is.True);
        Assert.That(await tools.CheckToolAccessAsync("planner", "calc"), Is.False);
        Assert.That(await tools.GetAgentToolsAsync("planner"), Is.EqualTo(new[] { "search_web" }));

        for (int i = 0; i < 5; i++)
        {
            await tools.RecordToolExecutionAsync("search_web", success: false, TimeSpan.FromMilliseconds(20), "Timeout");
        }

        ToolHealthReport report = await tools.CheckToolHealthAsync("search_web");
        Assert.That((report.Status, report.CircuitBroken), Is.EqualTo((HealthStatus.Unhealthy, true)));
        Assert.That(await tools.ShouldCircuitBreakAsync("search_web"), Is.True);
        Assert.That((await tools.GetSystemToolHealthAsync()).Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(await tools.GetErrorPatternsAsync("search_web"), Is.EqualTo(new[] { new ToolErrorPattern("Timeout", 5) }));

        time.Advance(TimeSpan.FromSeconds(301));
        Assert.That(await tools.ShouldCircuitBreakAsync("search_web"), Is.False, "the circuit closes once the failures age out");
    }

    [Test]
    public async Task CallerMutatesArgumentsAfterwards_KernelUnaffected()
    {
        await using IKernelClient client = KernelClient.CreateInProcess(timeProvider: new FakeTimeProvider(TestKernel.Epoch));
        var defaultValue = new JsonArray("a");
        var entry = new ToolEntry { Id = "t", Parameters = [new("tags", ToolParameterType.StringList, Default: defaultValue)] };

        await client.Tools.RegisterToolAsync(entry);
        defaultValue.Add(42);

        Assert.That((await client.Tools.FillDefaultsAsync("t", new JsonObject()))!.ToJsonString(), Is.EqualTo("""{"tags":["a"]}"""));
    }

    [Test]
    public async Task Errors_SameCodesAsTheCore()
    {
        await using IKernelClient client = KernelClient.CreateInProcess(timeProvider: new FakeTimeProvider(TestKernel.Epoch));

        var unknown = Assert.ThrowsAsync<KernelException>(() => client.Tools.ValidateToolParamsAsync("ghost", new JsonObject()));
        var empty = Assert.ThrowsAsync<KernelException>(() => client.Tools.RegisterToolAsync(new ToolEntry { Id = string.Empty }));

        Assert.That((unknown!.Code, empty!.Code), Is.EqualTo((KernelErrorCode.NotFound, KernelErrorCode.InvalidArgument)));
    }
}
