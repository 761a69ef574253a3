namespace Jeeves.Kernel;

/// <summary>The service registry (§9): names, types, load and health of the services the kernel dispatches to.</summary>
internal sealed class ServiceRegistry
{
    private readonly Dictionary<string, RegisteredService> _services = new(StringComparer.Ordinal);

    public int Count => _services.Count;

    /// <summary>Registers a service; an existing name is left untouched.</summary>
    /// <exception cref="KernelException">The name is empty or the load or capacity is negative.</exception>
    public bool Register(RegisteredService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (string.IsNullOrEmpty(service.Name) || service.CurrentLoad < 0 || service.MaxConcurrent < 0)
        {
            throw KernelErrors.Validation("A service needs a name, a non-negative load and a non-negative capacity");
        }

        return _services.TryAdd(service.Name, service);
    }

    public bool Unregister(string name) => _services.Remove(name);

    public RegisteredService? Get(string name) => _services.GetValueOrDefault(name);

    public bool Has(string name) => _services.ContainsKey(name);

    /// <summary>Lists services sorted by name, optionally by exact type and only healthy or degraded ones.</summary>
    public List<RegisteredService> List(string? serviceType = null, bool healthyOnly = false) =>
        _services.Values
            .Where(s => (serviceType is null || s.ServiceType == serviceType) && (!healthyOnly || s.IsHealthy))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Adds one to a service's load, with no upper cap.</summary>
    public bool IncrementLoad(string name) => Update(name, s => s with { CurrentLoad = s.CurrentLoad + 1 });

    /// <summary>Subtracts one from a service's load, never below zero.</summary>
    public bool DecrementLoad(string name) => Update(name, s => s with { CurrentLoad = Math.Max(0, s.CurrentLoad - 1) });

    public int GetLoad(string name) => _services.TryGetValue(name, out RegisteredService? s) ? s.CurrentLoad : 0;

    public bool UpdateHealth(string name, HealthStatus status, DateTimeOffset now) =>
        Update(name, s => s with { Status = status, LastHealthCheck = now });

    /// <summary>Counts healthy or degraded services.</summary>
    public int HealthyCount() => _services.Values.Count(s => s.IsHealthy);

    public (int Healthy, int Degraded, int Unhealthy) CountByStatus()
    {
        int healthy = 0, degraded = 0, unhealthy = 0;
        foreach (RegisteredService s in _services.Values)
        {
            switch (s.Status)
            {
                case HealthStatus.Healthy: healthy++; break;
                case HealthStatus.Degraded: degraded++; break;
                case HealthStatus.Unhealthy: unhealthy++; break;
            }
        }

        return (healthy, degraded, unhealthy);
    }

    public (int TotalLoad, int TotalCapacity, Dictionary<string, int> ByType) Totals()
    {
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        int load = 0, capacity = 0;
        foreach (RegisteredService s in _services.Values)
        {
            load += s.CurrentLoad;
            capacity += s.MaxConcurrent;
            byType[s.ServiceType] = byType.GetValueOrDefault(s.ServiceType) + 1;
        }

        return (load, capacity, byType);
    }

    private bool Update(string name, Func<RegisteredService, RegisteredService> change)
    {
        if (!_services.TryGetValue(name, out RegisteredService? s))
        {
            return false;
        }

        _services[name] = change(s);
        return true;
    }
}
