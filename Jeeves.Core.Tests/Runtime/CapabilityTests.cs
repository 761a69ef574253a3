using System.Text.Json.Nodes;
using Jeeves.Runtime;
using static Jeeves.Tests.Runtime.RuntimeTestKit;

namespace Jeeves.Tests.Runtime;

public sealed class CapabilityTests
{
    [Test]
    public void Build_names_every_unknown_agent_prompt_tool_and_target()
    {
        var builder = new CapabilityBuilder("broken")
            .AddAgent(new AgentDefinition { Name = "understand", Prompt = "missing.prompt", Tools = ["nope"] })
            .AddPipeline(new PipelineConfig
            {
                Name = "p",
                Stages = [new PipelineStage("understand", "understand", [RoutingRule.Always("nowhere")]), new PipelineStage("respond", "ghost")],
                ResumeStages = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "elsewhere" },
            });

        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.That(ex!.Message, Does.StartWith("Capability 'broken' is not valid: "));
        Assert.That(ex.Message, Does.Contain("agent 'understand' uses unknown prompt 'missing.prompt'"));
        Assert.That(ex.Message, Does.Contain("agent 'understand' uses unknown tool 'nope'"));
        Assert.That(ex.Message, Does.Contain("pipeline 'p' stage 'respond' uses unknown agent 'ghost'"));
        Assert.That(ex.Message, Does.Contain("pipeline 'p' stage 'understand' routes to unknown stage 'nowhere'"));
        Assert.That(ex.Message, Does.Contain("pipeline 'p' resumes clarification at unknown stage 'elsewhere'"));
    }

    [Test]
    public void Build_refuses_duplicates()
    {
        var builder = new CapabilityBuilder("dup")
            .AddAgent(Code("a", _ => []))
            .AddAgent(Code("a", _ => []))
            .AddTool(new ToolEntry { Id = "t" }, (_, _) => ValueTask.FromResult(new JsonObject()))
            .AddTool(new ToolEntry { Id = "t" }, (_, _) => ValueTask.FromResult(new JsonObject()));

        var ex = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.That(ex!.Message, Does.Contain("agent 'a' is declared twice").And.Contain("tool 't' is declared twice"));
    }

    [Test]
    public void Build_keeps_the_newest_prompt_version_comparing_numbers_not_text()
    {
        CapabilityDefinition capability = new CapabilityBuilder("p")
            .AddPrompt("greet", "nine", version: "9.0")
            .AddPrompt("greet", "ten", version: "10.0")
            .AddPrompt("greet", "two", version: "2.5")
            .Build();

        Assert.That(capability.Prompts["greet"].User, Is.EqualTo("ten"));
    }

    [Test]
    public void Registry_refuses_two_capabilities_declaring_the_same_pipeline()
    {
        CapabilityDefinition one = Capability(new PipelineConfig { Name = "p", Stages = [new PipelineStage("s", "a")] }, Code("a", _ => []));
        CapabilityDefinition two = new CapabilityBuilder("other").AddAgent(Code("a", _ => [])).AddPipeline(new PipelineConfig { Name = "p", Stages = [new PipelineStage("s", "a")] }).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => _ = new CapabilityRegistry([one, two]));

        Assert.That(ex!.Message, Does.Contain("pipeline 'p' is declared by both 'test' and 'other'"));
    }

    [Test]
    public void Discovery_refuses_an_unqualified_name_at_once()
    {
        var ex = Assert.Throws<ArgumentException>(() => CapabilityDiscovery.Load("Jeeves.Tests.Runtime.SampleCapability, chatbot"));

        Assert.That(ex!.Message, Does.StartWith("JEEVES_CAPABILITIES entry 'chatbot' is not qualified"));
    }

    [Test]
    public void Discovery_loads_named_types_and_reports_the_ones_that_fail()
    {
        CapabilityDiscoveryResult result = CapabilityDiscovery.Load(" Jeeves.Tests.Runtime.SampleCapability , No.Such.Type ,,");

        Assert.That(result.Capabilities.Select(static c => c.Id).ToList(), Is.EqualTo(new[] { "sample" }));
        Assert.That(result.Failures, Has.Count.EqualTo(1));
        Assert.That(result.Failures[0], Does.StartWith("No.Such.Type: "));
    }

    [Test]
    public void Discovery_takes_every_public_capability_of_a_named_assembly()
    {
        CapabilityDiscoveryResult result = CapabilityDiscovery.Load("Jeeves.Core.Tests");

        Assert.That(result.Capabilities.Select(static c => c.Id), Does.Contain("sample"));
    }

    [Test]
    public void Discovery_that_loads_nothing_says_what_to_set()
    {
        var empty = Assert.Throws<InvalidOperationException>(() => CapabilityDiscovery.Load("  "));
        var failed = Assert.Throws<InvalidOperationException>(() => CapabilityDiscovery.Load("No.Such.Assembly"));

        Assert.That(empty!.Message, Is.EqualTo("No capabilities loaded. Set JEEVES_CAPABILITIES to the capability types or assemblies to load."));
        Assert.That(failed!.Message, Does.StartWith("No capabilities loaded. Set JEEVES_CAPABILITIES").And.Contain("Failures: No.Such.Assembly: "));
    }
}

/// <summary>A capability that discovery can find by name.</summary>
public sealed class SampleCapability : ICapability
{
    /// <inheritdoc/>
    public string Id => "sample";

    /// <inheritdoc/>
    public void Register(CapabilityBuilder builder) => builder
        .AddAgent(new AgentDefinition { Name = "echo", Handler = (c, _) => ValueTask.FromResult(new JsonObject { ["response"] = c.Input }) })
        .AddPipeline(new PipelineConfig { Name = "echo", Stages = [new PipelineStage("echo", "echo")] });
}
