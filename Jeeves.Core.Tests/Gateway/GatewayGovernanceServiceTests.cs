using Jeeves.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Jeeves.Tests.Gateway;

/// <summary>The governance service: summary precedence, per-tool detail, not found and the dashboard.</summary>
public sealed class GatewayGovernanceServiceTests
{
    private IKernelClient _kernel = null!;

    [SetUp]
    public void SetUp() => _kernel = KernelClient.CreateInProcess(timeProvider: new FakeTimeProvider(TestKernel.Epoch));

    [TearDown]
    public async Task TearDown() => await _kernel.DisposeAsync();

    private async Task RecordAsync(string tool, int successes, int failures, TimeSpan latency)
    {
        for (int i = 0; i < successes; i++)
        {
            await _kernel.Tools.RecordToolExecutionAsync(tool, success: true, latency);
        }

        for (int i = 0; i < failures; i++)
        {
            await _kernel.Tools.RecordToolExecutionAsync(tool, success: false, latency, "timeout");
        }
    }

    [Test]
    public async Task HealthSummary_Empty_HealthyWithNoTools()
    {
        HealthSummary summary = (await new GatewayGovernanceService(_kernel).GetHealthSummaryAsync()).Value!;

        Assert.That(summary.OverallStatus, Is.EqualTo("healthy"));
        Assert.That(summary.TotalTools, Is.Zero);
    }

    [Test]
    public async Task HealthSummary_CountsAndWorstStatusWins()
    {
        await RecordAsync("good", 10, 0, TimeSpan.FromMilliseconds(10));
        await RecordAsync("bad", 1, 9, TimeSpan.FromMilliseconds(10));
        await RecordAsync("new", 1, 0, TimeSpan.FromMilliseconds(10));

        HealthSummary summary = (await new GatewayGovernanceService(_kernel).GetHealthSummaryAsync()).Value!;

        Assert.That(summary.OverallStatus, Is.EqualTo("unhealthy"));
        Assert.That((summary.TotalTools, summary.HealthyTools, summary.DegradedTools, summary.UnhealthyTools), Is.EqualTo((3, 1, 0, 1)));
        Assert.That(summary.Tools.Select(t => (t.ToolName, t.Status)), Is.EqualTo(new[] { ("bad", "unhealthy"), ("good", "healthy"), ("new", "unknown") }));
    }

    [Test]
    public async Task ToolHealth_RecordedTool_CountsAndLastError()
    {
        await RecordAsync("search", 8, 2, TimeSpan.FromMilliseconds(100));

        GatewayResult<ToolHealthDetail> result = await new GatewayGovernanceService(_kernel).GetToolHealthAsync("search");

        ToolHealthDetail d = result.Value!;
        Assert.That((d.TotalCalls, d.SuccessfulCalls, d.FailedCalls), Is.EqualTo((10, 8, 2)));
        Assert.That(d.SuccessRate, Is.EqualTo(0.8).Within(1e-9));
        Assert.That(d.AvgLatencyMs, Is.EqualTo(100).Within(1e-9));
        Assert.That(d.Status, Is.EqualTo("degraded"));
        Assert.That(d.LastError, Is.EqualTo("timeout"));
    }

    [Test]
    public async Task ToolHealth_Unknown_NotFound_CatalogToolWithoutHistory_Unknown()
    {
        await _kernel.Tools.RegisterToolAsync(new ToolEntry { Id = "catalogued", Description = "d" });
        var service = new GatewayGovernanceService(_kernel);

        GatewayResult<ToolHealthDetail> missing = await service.GetToolHealthAsync("nope");
        GatewayResult<ToolHealthDetail> catalogued = await service.GetToolHealthAsync("catalogued");

        Assert.That((missing.Outcome, missing.Detail), Is.EqualTo((GatewayOutcome.NotFound, "Tool not found: nope")));
        Assert.That(catalogued.Value!.Status, Is.EqualTo("unknown"));
    }

    [Test]
    public async Task Dashboard_ToolsAgentsLayersAndConfig()
    {
        await RecordAsync("good", 5, 0, TimeSpan.FromMilliseconds(1));
        var options = new GovernanceOptions { LlmProvider = "openai", LogLevel = "DEBUG" };
        options.Agents.Add(new AgentView("responder", "answers", "active", "hello_world"));

        GovernanceDashboard d = (await new GatewayGovernanceService(_kernel, options).GetDashboardAsync()).Value!;

        Assert.That(d.Tools.Single().ToolName, Is.EqualTo("good"));
        Assert.That(d.Agents.Single().Name, Is.EqualTo("responder"));
        Assert.That(d.MemoryLayers, Is.Empty);
        Assert.That(d.Config, Is.EqualTo(new GovernanceConfig("openai", "in_memory", "DEBUG")));
    }

    [Test]
    public async Task KernelGone_BackendUnavailable()
    {
        await _kernel.DisposeAsync();
        var service = new GatewayGovernanceService(_kernel);

        GatewayResult<GovernanceDashboard> dashboard = await service.GetDashboardAsync();
        GatewayResult<ToolHealthDetail> tool = await service.GetToolHealthAsync("x");

        Assert.That((dashboard.Outcome, dashboard.Detail), Is.EqualTo((GatewayOutcome.Unavailable, "Backend unavailable")));
        Assert.That(tool.Outcome, Is.EqualTo(GatewayOutcome.Unavailable));
    }
}
