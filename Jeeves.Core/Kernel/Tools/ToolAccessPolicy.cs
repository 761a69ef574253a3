namespace Jeeves.Kernel.Tools;

/// <summary>Per-agent tool grants (§10.4). An agent with no grant may use nothing.</summary>
internal sealed class ToolAccessPolicy
{
    private readonly Dictionary<string, HashSet<string>> _grants = new(StringComparer.Ordinal);

    public int AgentCount => _grants.Count;

    public void Grant(string agent, IEnumerable<string> tools)
    {
        if (!_grants.TryGetValue(agent, out HashSet<string>? set))
        {
            _grants[agent] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.UnionWith(tools);
    }

    public void Revoke(string agent, string tool)
    {
        if (_grants.TryGetValue(agent, out HashSet<string>? set))
        {
            set.Remove(tool);
        }
    }

    public bool Check(string agent, string tool) => _grants.TryGetValue(agent, out HashSet<string>? set) && set.Contains(tool);

    public List<string> ToolsFor(string agent) =>
        _grants.TryGetValue(agent, out HashSet<string>? set) ? set.Order(StringComparer.Ordinal).ToList() : [];

    public bool Clear(string agent) => _grants.Remove(agent);
}
