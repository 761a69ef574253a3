using Jeeves.Kernel;

namespace Jeeves.Tests.Kernel;

/// <summary>The service registry (reference kernel/services.rs).</summary>
public sealed class ServiceRegistryTests
{
    private static RegisteredService Service(string name, string type = "flow", HealthStatus status = HealthStatus.Healthy, int max = 10, int load = 0) =>
        new() { Name = name, ServiceType = type, Status = status, MaxConcurrent = max, CurrentLoad = load };

    [Test]
    public void Register_New_StoredAndDuplicateRefusedWithoutOverwrite()
    {
        var registry = new ServiceRegistry();

        Assert.That(registry.Register(Service("flow1", max: 10)), Is.True);
        Assert.That(registry.Register(Service("flow1", type: "worker", max: 99)), Is.False);
        Assert.That(registry.Get("flow1")!.ServiceType, Is.EqualTo("flow"));
        Assert.That(registry.Get("flow1")!.MaxConcurrent, Is.EqualTo(10));
        Assert.That(registry.Get("ghost"), Is.Null);
    }

    [Test]
    public void Unregister_TrueOnceThenFalse()
    {
        var registry = new ServiceRegistry();
        registry.Register(Service("s"));

        Assert.That(registry.Unregister("s"), Is.True);
        Assert.That(registry.Has("s"), Is.False);
        Assert.That(registry.Unregister("s"), Is.False);
    }

    [Test]
    public void List_FiltersByTypeAndHealth_SortedByName()
    {
        var registry = new ServiceRegistry();
        registry.Register(Service("flow2", status: HealthStatus.Unhealthy));
        registry.Register(Service("flow1"));
        registry.Register(Service("worker1", type: "worker"));

        Assert.That(registry.List().Select(s => s.Name), Is.EqualTo(new[] { "flow1", "flow2", "worker1" }));
        Assert.That(registry.List("flow").Count, Is.EqualTo(2));
        Assert.That(registry.List(healthyOnly: true).Count, Is.EqualTo(2));
        Assert.That(registry.List("flow", healthyOnly: true).Select(s => s.Name), Is.EqualTo(new[] { "flow1" }));
    }

    [Test]
    public void Load_IncrementDecrement_FlooredAtZero()
    {
        var registry = new ServiceRegistry();
        registry.Register(Service("s"));

        var loads = new List<int> { registry.GetLoad("s") };
        registry.IncrementLoad("s");
        loads.Add(registry.GetLoad("s"));
        registry.IncrementLoad("s");
        loads.Add(registry.GetLoad("s"));
        registry.DecrementLoad("s");
        loads.Add(registry.GetLoad("s"));
        registry.DecrementLoad("s");
        loads.Add(registry.GetLoad("s"));
        registry.DecrementLoad("s");
        loads.Add(registry.GetLoad("s"));

        Assert.That(loads, Is.EqualTo(new[] { 0, 1, 2, 1, 0, 0 }));
        Assert.That(registry.IncrementLoad("ghost"), Is.False);
        Assert.That(registry.GetLoad("ghost"), Is.Zero);
    }

    [Test]
    public void UpdateHealth_ChangesStatusAndCheckTime()
    {
        var registry = new ServiceRegistry();
        registry.Register(Service("s"));
        DateTimeOffset t = TestKernel.Epoch.AddMinutes(3);

        Assert.That(registry.UpdateHealth("s", HealthStatus.Degraded, t), Is.True);
        Assert.That(registry.Get("s")!.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(registry.UpdateHealth("s", HealthStatus.Unhealthy, t), Is.True);
        Assert.That(registry.Get("s")!.LastHealthCheck, Is.EqualTo(t));
        Assert.That(registry.UpdateHealth("ghost", HealthStatus.Healthy, t), Is.False);
    }

    [Test]
    public void Stats_CountsLoadCapacityAndTypes()
    {
        var registry = new ServiceRegistry();
        registry.Register(Service("flow1", max: 10, load: 2));
        registry.Register(Service("flow2", max: 5, load: 3));
        registry.Register(Service("worker1", type: "worker", status: HealthStatus.Degraded, max: 10));

        (int healthy, int degraded, int unhealthy) = registry.CountByStatus();
        (int load, int capacity, Dictionary<string, int> byType) = registry.Totals();

        Assert.That((registry.Count, healthy, degraded, unhealthy), Is.EqualTo((3, 2, 1, 0)));
        Assert.That((load, capacity), Is.EqualTo((5, 25)));
        Assert.That(byType, Is.EquivalentTo(new Dictionary<string, int> { ["flow"] = 2, ["worker"] = 1 }));
        Assert.That(registry.Get("flow2")!.Utilization, Is.EqualTo(60.0));
        Assert.That(registry.HealthyCount(), Is.EqualTo(3), "degraded counts as healthy here");
    }

    [Test]
    public void CanAccept_BelowCapacityAndExactlyHealthy()
    {
        Assert.That(Service("s", max: 2, load: 1).CanAccept, Is.True);
        Assert.That(Service("s", max: 2, load: 2).CanAccept, Is.False);
        Assert.That(Service("s", status: HealthStatus.Unhealthy).CanAccept, Is.False);
        Assert.That(Service("s", status: HealthStatus.Degraded).CanAccept, Is.False);
        Assert.That(Service("s", status: HealthStatus.Degraded).IsHealthy, Is.True);
    }

    [Test]
    public void SystemStatus_ReportsRegistryCounts()
    {
        var core = TestKernel.Create(out _);
        core.Services.Register(Service("a"));
        core.Services.Register(Service("b", status: HealthStatus.Degraded));
        core.Services.Register(Service("c", status: HealthStatus.Unhealthy));
        core.Services.Register(Service("d", status: HealthStatus.Unknown));

        SystemStatus s = core.GetSystemStatus();

        Assert.That((s.ServicesHealthy, s.ServicesDegraded, s.ServicesUnhealthy), Is.EqualTo((1, 1, 1)));
    }
}
