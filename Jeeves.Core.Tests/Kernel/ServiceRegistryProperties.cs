using Jeeves.Kernel;
using NUnit.Framework;
using PropertyAttribute = FsCheck.NUnit.PropertyAttribute;

namespace Jeeves.Tests.Kernel;

/// <summary>Service registry invariant of spec §19 (36), checked against a dictionary model.</summary>
public sealed class ServiceRegistryProperties
{
    /// <summary>
    /// (36) Load never goes below zero, healthy + degraded + unhealthy never exceeds the total, and a duplicate
    /// registration leaves the existing entry untouched.
    /// </summary>
    [Property(Arbitrary = new[] { typeof(KernelArbitraries) }, MaxTest = 300)]
    public void ServiceRegistry_AnyScript_LoadNeverNegativeAndDuplicatesLeaveTheEntry(RegistryScript script)
    {
        // Arrange
        var registry = new ServiceRegistry();
        var model = new Dictionary<string, RegisteredService>(StringComparer.Ordinal);
        DateTimeOffset now = TestKernel.Epoch;

        for (int step = 0; step < script.Ops.Count; step++)
        {
            RegistryOp op = script.Ops[step];
            string name = op.ServiceName;
            string where = $"step {step}: {op}";
            now += TimeSpan.FromSeconds(1);
            RegisteredService? existing = registry.Get(name);
            bool known = model.TryGetValue(name, out RegisteredService? m);

            // Act
            bool result = op.Kind switch
            {
                RegistryOpKind.Register => registry.Register(new RegisteredService
                {
                    Name = name,
                    ServiceType = op.ServiceType,
                    MaxConcurrent = op.MaxConcurrent,
                    CurrentLoad = op.InitialLoad,
                    Status = op.Status,
                    LastHealthCheck = now,
                }),
                RegistryOpKind.Unregister => registry.Unregister(name),
                RegistryOpKind.Increment => registry.IncrementLoad(name),
                RegistryOpKind.Decrement => registry.DecrementLoad(name),
                _ => registry.UpdateHealth(name, op.Status, now),
            };

            // Assert
            Assert.That(result, Is.EqualTo(op.Kind == RegistryOpKind.Register ? !known : known), where);
            if (op.Kind == RegistryOpKind.Register && known)
            {
                Assert.That(registry.Get(name), Is.SameAs(existing), $"{where}: a duplicate registration replaced the entry");
            }

            switch (op.Kind)
            {
                case RegistryOpKind.Register when !known:
                    model[name] = registry.Get(name)!;
                    break;
                case RegistryOpKind.Unregister:
                    model.Remove(name);
                    break;
                case RegistryOpKind.Increment when known:
                    model[name] = m! with { CurrentLoad = m.CurrentLoad + 1 };
                    break;
                case RegistryOpKind.Decrement when known:
                    model[name] = m! with { CurrentLoad = Math.Max(0, m.CurrentLoad - 1) };
                    break;
                case RegistryOpKind.UpdateHealth when known:
                    model[name] = m! with { Status = op.Status, LastHealthCheck = now };
                    break;
            }

            for (int i = 0; i < RegistryOp.NameCount; i++)
            {
                string n = $"svc{i}";
                Assert.That(registry.GetLoad(n), Is.GreaterThanOrEqualTo(0).And.EqualTo(model.GetValueOrDefault(n)?.CurrentLoad ?? 0), $"{where}: load of {n}");
                Assert.That(registry.Get(n), Is.EqualTo(model.GetValueOrDefault(n)), $"{where}: {n}");
            }

            (int healthy, int degraded, int unhealthy) = registry.CountByStatus();
            Assert.That(healthy + degraded + unhealthy, Is.LessThanOrEqualTo(registry.Count), $"{where}: status counts");
            Assert.That((healthy, degraded, unhealthy, registry.HealthyCount()), Is.EqualTo((
                model.Values.Count(s => s.Status == HealthStatus.Healthy),
                model.Values.Count(s => s.Status == HealthStatus.Degraded),
                model.Values.Count(s => s.Status == HealthStatus.Unhealthy),
                model.Values.Count(s => s.Status is HealthStatus.Healthy or HealthStatus.Degraded))), $"{where}: status counts");
            Assert.That(registry.Totals().TotalLoad, Is.EqualTo(model.Values.Sum(s => s.CurrentLoad)), $"{where}: total load");
        }
    }
}
