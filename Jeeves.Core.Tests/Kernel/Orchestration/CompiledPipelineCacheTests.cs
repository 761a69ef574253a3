using System.Text.Json.Nodes;
using Jeeves.Kernel;
using Jeeves.Kernel.Orchestration;
using static Jeeves.Tests.Kernel.Orchestration.Pipelines;

namespace Jeeves.Tests.Kernel.Orchestration;

/// <summary>
/// A pipeline configuration is validated and compiled once and reused while it is unchanged; a configuration that
/// changed since (its collections are the caller's) is compiled again, never served a stale compilation.
/// </summary>
public sealed class CompiledPipelineCacheTests
{
    private static int s_next;

    [Test]
    public void InitializeSession_SameConfigTwice_SharesOneCompilation()
    {
        // Arrange
        var core = TestKernel.CreateUnlimited(out _);
        PipelineConfig config = Linear("a", "b");

        // Act
        ProcessId first = Start(core, config);
        ProcessId second = Start(core, config);

        // Assert
        Assert.That(Compiled(core, second), Is.SameAs(Compiled(core, first)));
    }

    [Test]
    public void InitializeSession_EqualButDistinctConfigs_EachCompiledAndRunTheSame()
    {
        var core = TestKernel.CreateUnlimited(out _);

        ProcessId first = Start(core, Linear("a", "b"));
        ProcessId second = Start(core, Linear("a", "b"));

        Assert.That(Compiled(core, second), Is.Not.SameAs(Compiled(core, first)));
        Assert.That(core.ReportAgentResult(second, Result("agent_a")).AgentName, Is.EqualTo("agent_b"));
    }

    [Test]
    public void InitializeSession_StageListChangedAfterUse_NewSessionFollowsTheNewStages()
    {
        // Arrange: the caller keeps the list it gave and changes it between runs.
        var core = TestKernel.CreateUnlimited(out _);
        var stages = new List<PipelineStage> { new("a", "agent_a", [RoutingRule.Always("b")]), new("b", "agent_b") };
        var config = new PipelineConfig { Name = "mutable", Stages = stages };
        ProcessId before = Start(core, config);

        // Act
        stages[1] = new PipelineStage("b", "agent_replacement");
        ProcessId after = Start(core, config);

        // Assert: the new run sees the change; the run already under way keeps what it started with.
        Assert.That(core.ReportAgentResult(after, Result("agent_a")).AgentName, Is.EqualTo("agent_replacement"));
        Assert.That(core.ReportAgentResult(before, Result("agent_a")).AgentName, Is.EqualTo("agent_b"));
        Assert.That(Compiled(core, after), Is.Not.SameAs(Compiled(core, before)));
    }

    [Test]
    public void InitializeSession_StageAddedAfterUse_NewSessionHasIt()
    {
        var core = TestKernel.CreateUnlimited(out _);
        var stages = new List<PipelineStage> { new("a", "agent_a") };
        var config = new PipelineConfig { Name = "growing", Stages = stages };
        _ = Start(core, config);

        stages[0] = new PipelineStage("a", "agent_a", [RoutingRule.Always("b")]);
        stages.Add(new PipelineStage("b", "agent_b"));
        ProcessId after = Start(core, config);

        Assert.That(core.GetSessionState(after).StageOrder, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(core.ReportAgentResult(after, Result("agent_a")).AgentName, Is.EqualTo("agent_b"));
    }

    [Test]
    public void InitializeSession_RoutingRuleReplacedAfterUse_NewSessionRoutesByTheNewRule()
    {
        var core = TestKernel.CreateUnlimited(out _);
        RoutingRule[] routing = [RoutingRule.Always("b")];
        var config = new PipelineConfig
        {
            Name = "rules",
            Stages = [new("a", "agent_a", routing), new("b", "agent_b"), new("c", "agent_c")],
        };
        _ = Start(core, config);

        routing[0] = RoutingRule.Always("c");
        ProcessId after = Start(core, config);

        Assert.That(core.ReportAgentResult(after, Result("agent_a")).AgentName, Is.EqualTo("agent_c"));
    }

    [Test]
    public void InitializeSession_ContainerRuleValueChangedInPlace_NewSessionComparesWithTheNewValue()
    {
        // Arrange: a rule value that is a JSON object can change without any collection changing.
        var core = TestKernel.CreateUnlimited(out _);
        var value = new JsonObject { ["tier"] = 1 };
        var config = new PipelineConfig
        {
            Name = "container",
            Stages = [new("a", "agent_a", [RoutingRule.When("plan", value, "c"), RoutingRule.Always("b")]), new("b", "agent_b"), new("c", "agent_c")],
        };
        ProcessId before = Start(core, config);

        // Act
        value["tier"] = 2;
        ProcessId after = Start(core, config);

        // Assert
        Assert.That(core.ReportAgentResult(after, Result("agent_a", """{"plan":{"tier":2}}""")).AgentName, Is.EqualTo("agent_c"));
        Assert.That(core.ReportAgentResult(before, Result("agent_a", """{"plan":{"tier":2}}""")).AgentName, Is.EqualTo("agent_b"));
    }

    [Test]
    public void InitializeSession_EdgeLimitAddedAfterUse_NewSessionIsCapped()
    {
        var core = TestKernel.CreateUnlimited(out _);
        var limits = new List<EdgeLimit>();
        var config = new PipelineConfig
        {
            Name = "loop",
            Stages = [new("a", "agent_a", [RoutingRule.Always("b")]), new("b", "agent_b", [RoutingRule.Always("a")])],
            MaxIterations = 10,
            EdgeLimits = limits,
        };
        _ = Start(core, config);

        limits.Add(new EdgeLimit("b", "a", 0));
        ProcessId after = Start(core, config);
        core.ReportAgentResult(after, Result("agent_a"));
        Instruction next = core.ReportAgentResult(after, Result("agent_b"));

        Assert.That((next.Kind, next.TerminalReason), Is.EqualTo((InstructionKind.Terminate, (TerminalReason?)TerminalReason.MaxAgentHopsExceeded)));
    }

    [Test]
    public void InitializeSession_ResumeStageChangedAfterUse_NewSessionResumesThere()
    {
        var core = TestKernel.CreateUnlimited(out _);
        var resume = new Dictionary<InterruptKind, string> { [InterruptKind.Clarification] = "a" };
        var config = new PipelineConfig
        {
            Name = "resume",
            Stages = [new("a", "agent_a", [RoutingRule.Always("b")]), new("b", "agent_b")],
            ResumeStages = resume,
        };
        ProcessId before = Start(core, config);

        resume[InterruptKind.Clarification] = "b";
        ProcessId after = Start(core, config);
        var asks = new CreateInterruptRequest { Kind = InterruptKind.Clarification, Question = "which?" };
        core.ReportAgentResult(before, Result("agent_a") with { Interrupt = asks });
        core.ReportAgentResult(after, Result("agent_a") with { Interrupt = asks });

        Assert.That(core.Orchestrator.Get(after)!.ResumeStage, Is.EqualTo("b"));
        Assert.That(core.Orchestrator.Get(before)!.ResumeStage, Is.EqualTo("a"), "a run keeps the resume stages it started with");
    }

    [Test]
    public void InitializeSession_CachedConfigMadeInvalid_RefusedAndNothingCreated()
    {
        // Arrange
        var core = TestKernel.CreateUnlimited(out _);
        var stages = new List<PipelineStage> { new("a", "agent_a") };
        var config = new PipelineConfig { Name = "broken", Stages = stages };
        _ = Start(core, config);

        // Act: a target that does not exist is only found by validating again.
        stages[0] = new PipelineStage("a", "agent_a", [RoutingRule.Always("nowhere")]);
        var pid = new ProcessId("refused");
        var ex = Assert.Throws<KernelException>(() => core.InitializeSession(pid, config, NewEnvelope()));

        // Assert
        Assert.That(ex!.Code, Is.EqualTo(KernelErrorCode.InvalidArgument));
        Assert.That(core.GetProcess(pid), Is.Null);
    }

    [Test]
    public void Get_PrimitiveRuleValues_ReusedWhileUnchanged()
    {
        var cache = new CompiledPipelineCache();
        PipelineConfig config = Qa();

        CompiledPipeline first = cache.Get(config);

        Assert.That(first.IsReusable, Is.True);
        Assert.That(cache.Get(config), Is.SameAs(first));
        Assert.That(cache.Get(config with { MaxIterations = 7 }), Is.Not.SameAs(first), "a record copy is another configuration");
    }

    [Test]
    public void Get_ContainerRuleValue_CompiledEveryTime()
    {
        var cache = new CompiledPipelineCache();
        var config = new PipelineConfig
        {
            Name = "container",
            Stages = [new("a", "agent_a", [RoutingRule.When("tags", new JsonArray("x"), "b")]), new("b", "agent_b")],
        };

        CompiledPipeline first = cache.Get(config);

        Assert.That(first.IsReusable, Is.False);
        Assert.That(cache.Get(config), Is.Not.SameAs(first));
    }

    private static ProcessId Start(KernelCore core, PipelineConfig config)
    {
        var pid = new ProcessId("p" + Interlocked.Increment(ref s_next));
        core.InitializeSession(pid, config, NewEnvelope());
        return pid;
    }

    private static CompiledPipeline Compiled(KernelCore core, ProcessId pid) => core.Orchestrator.Get(pid)!.Pipeline;
}
