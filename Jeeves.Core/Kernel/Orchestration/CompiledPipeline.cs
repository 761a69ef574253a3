using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Kernel.Orchestration;

/// <summary>A validated pipeline prepared for routing: stage lookup by name (first wins), rule values as JSON elements, edge caps.</summary>
/// <remarks>
/// A compilation remembers exactly which stage, rule and edge-limit instances it was made from, and a copy of the
/// resume stages, so <see cref="Matches"/> can tell without allocating whether a configuration still says what it
/// said when it was compiled. The records themselves are immutable; only the collections holding them, and rule values
/// that are JSON containers, could change afterwards.
/// </remarks>
internal sealed class CompiledPipeline
{
    private readonly Dictionary<string, Stage> _stages = new(StringComparer.Ordinal);
    private readonly string[] _edgeKeys;
    private readonly PipelineStage[] _sourceStages;
    private readonly RoutingRule[][] _sourceRules;
    private readonly EdgeLimit[] _sourceEdgeLimits;
    private readonly KeyValuePair<InterruptKind, string>[] _resumeStages;

    /// <summary>Compiles a configuration that <see cref="PipelineValidator"/> has accepted.</summary>
    public CompiledPipeline(PipelineConfig config)
    {
        Config = config;
        int count = config.Stages.Count;
        IReadOnlyList<EdgeLimit> limits = config.EdgeLimits ?? [];
        _sourceEdgeLimits = new EdgeLimit[limits.Count];
        var edgeLimits = new Dictionary<(string From, string To), int>();
        for (int i = 0; i < _sourceEdgeLimits.Length; i++)
        {
            EdgeLimit limit = _sourceEdgeLimits[i] = limits[i];
            edgeLimits.TryAdd((limit.FromStage, limit.ToStage), limit.MaxCount);
        }

        var order = new string[count];
        var edges = new Dictionary<string, int>(StringComparer.Ordinal);
        _sourceStages = new PipelineStage[count];
        _sourceRules = new RoutingRule[count][];
        bool stable = true;
        for (int i = 0; i < count; i++)
        {
            PipelineStage s = config.Stages[i];
            _sourceStages[i] = s;
            order[i] = s.Name;
            var sourceRules = new RoutingRule[s.Routing.Count];
            var rules = new Rule[sourceRules.Length];
            for (int j = 0; j < sourceRules.Length; j++)
            {
                RoutingRule r = sourceRules[j] = s.Routing[j];
                stable &= r.Condition is null || IsImmutable(r.Value);
                string edgeKey = Orchestrator.EdgeKey(s.Name, r.Target);
                if (!edges.TryGetValue(edgeKey, out int edge))
                {
                    edges.Add(edgeKey, edge = edges.Count);
                }

                rules[j] = new Rule(
                    r.Condition,
                    r.Condition is null ? default : JsonValues.ToElement(r.Value),
                    r.Target,
                    edge,
                    edgeLimits.TryGetValue((s.Name, r.Target), out int max) ? max : null);
            }

            _sourceRules[i] = sourceRules;
            _stages.TryAdd(s.Name, new Stage(s.Name, s.Agent, i, rules));
        }

        StageOrder = ImmutableCollectionsMarshal.AsImmutableArray(order);
        BoxedStageOrder = StageOrder;
        _edgeKeys = new string[edges.Count];
        foreach ((string key, int edge) in edges)
        {
            _edgeKeys[edge] = key;
        }

        _resumeStages = config.ResumeStages is { Count: > 0 } resume ? [.. resume] : [];
        IsReusable = stable;
    }

    public PipelineConfig Config { get; }

    /// <summary>
    /// Gets whether <see cref="Matches"/> can vouch for this compilation: false when a conditional rule's value is a JSON
    /// container (<see cref="JsonObject"/>, <see cref="JsonArray"/>), which its owner could change in place.
    /// </summary>
    public bool IsReusable { get; }

    public ImmutableArray<string> StageOrder { get; }

    /// <summary>Gets <see cref="StageOrder"/> boxed once, for the readers that take it as a list.</summary>
    public IReadOnlyList<string> BoxedStageOrder { get; }

    /// <summary>Gets the number of distinct edges the rules can take; an edge's traversal counter is its index.</summary>
    public int EdgeCount => _edgeKeys.Length;

    public string FirstStage => StageOrder[0];

    public Stage? Find(string name) => _stages.GetValueOrDefault(name);

    /// <summary>Gets the traversal counter key of an edge: <c>from-&gt;to</c>.</summary>
    public string EdgeKey(int edge) => _edgeKeys[edge];

    /// <summary>Gets the stage a run continues from after an interrupt of <paramref name="kind"/> raised at <paramref name="raisedAt"/>.</summary>
    public string ResumeStage(InterruptKind kind, string raisedAt)
    {
        foreach ((InterruptKind k, string stage) in _resumeStages)
        {
            if (k == kind)
            {
                return stage;
            }
        }

        return raisedAt;
    }

    /// <summary>
    /// Tells whether <paramref name="config"/> is the configuration this was compiled from and still holds the same stages,
    /// rules, edge limits and resume stages. Allocates nothing.
    /// </summary>
    public bool Matches(PipelineConfig config)
    {
        if (!IsReusable || !ReferenceEquals(config, Config))
        {
            return false;
        }

        IReadOnlyList<PipelineStage> stages = config.Stages;
        if (stages is null || stages.Count != _sourceStages.Length)
        {
            return false;
        }

        for (int i = 0; i < _sourceStages.Length; i++)
        {
            PipelineStage stage = stages[i];
            RoutingRule[] rules = _sourceRules[i];
            if (!ReferenceEquals(stage, _sourceStages[i]) || stage.Routing is not { } routing || routing.Count != rules.Length)
            {
                return false;
            }

            for (int j = 0; j < rules.Length; j++)
            {
                if (!ReferenceEquals(routing[j], rules[j]))
                {
                    return false;
                }
            }
        }

        IReadOnlyList<EdgeLimit> limits = config.EdgeLimits ?? [];
        if (limits.Count != _sourceEdgeLimits.Length)
        {
            return false;
        }

        for (int i = 0; i < _sourceEdgeLimits.Length; i++)
        {
            if (!ReferenceEquals(limits[i], _sourceEdgeLimits[i]))
            {
                return false;
            }
        }

        // Same count and every remembered pair present: the same map (keys are unique).
        IReadOnlyDictionary<InterruptKind, string>? resume = config.ResumeStages;
        if ((resume?.Count ?? 0) != _resumeStages.Length)
        {
            return false;
        }

        foreach ((InterruptKind kind, string stage) in _resumeStages)
        {
            if (!resume!.TryGetValue(kind, out string? now) || !string.Equals(now, stage, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>First match wins: an unconditional rule always matches; a conditional one when the output's key equals the value.</summary>
    public static Rule? Route(Stage stage, JsonElement output)
    {
        foreach (Rule rule in stage.Rules)
        {
            if (rule.Condition is null)
            {
                return rule;
            }

            if (output.ValueKind == JsonValueKind.Object && output.TryGetProperty(rule.Condition, out JsonElement actual) &&
                JsonEquality.Equal(actual, rule.Value))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>
    /// A rule value that cannot change after compilation: none, or a <see cref="JsonValue"/> holding a primitive (a
    /// <see cref="JsonValue"/> has no setter). Objects and arrays, as nodes or inside a value, can be changed by their owner.
    /// </summary>
    private static bool IsImmutable(JsonNode? value) =>
        value is null ||
        (value is JsonValue v && v.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Array));

    internal sealed record Stage(string Name, string Agent, int Index, Rule[] Rules);

    /// <summary>
    /// A rule ready to evaluate; <paramref name="Edge"/> is the index of the edge it takes (see <see cref="EdgeKey"/>),
    /// <paramref name="EdgeLimit"/> that edge's cap, or <see langword="null"/> when it is unlimited.
    /// </summary>
    internal sealed record Rule(string? Condition, JsonElement Value, string Target, int Edge, int? EdgeLimit);
}
