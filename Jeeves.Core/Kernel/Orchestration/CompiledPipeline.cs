using System.Text.Json;

namespace Jeeves.Kernel.Orchestration;

/// <summary>A validated pipeline prepared for routing: stage lookup by name (first wins), rule values as JSON elements, edge caps.</summary>
internal sealed class CompiledPipeline
{
    private readonly Dictionary<string, Stage> _stages = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), int> _edgeLimits = [];

    public CompiledPipeline(PipelineConfig config)
    {
        Config = config;
        var order = new string[config.Stages.Count];
        for (int i = 0; i < config.Stages.Count; i++)
        {
            PipelineStage s = config.Stages[i];
            order[i] = s.Name;
            if (!_stages.ContainsKey(s.Name))
            {
                var rules = s.Routing
                    .Select(r => new Rule(r.Condition, r.Condition is null ? default : JsonValues.ToElement(r.Value), r.Target, Orchestrator.EdgeKey(s.Name, r.Target)))
                    .ToArray();
                _stages.Add(s.Name, new Stage(s.Name, s.Agent, i, rules));
            }
        }

        StageOrder = [.. order];
        foreach (EdgeLimit limit in config.EdgeLimits ?? [])
        {
            _edgeLimits.TryAdd((limit.FromStage, limit.ToStage), limit.MaxCount);
        }
    }

    public PipelineConfig Config { get; }

    public System.Collections.Immutable.ImmutableArray<string> StageOrder { get; }

    public string FirstStage => StageOrder[0];

    public Stage? Find(string name) => _stages.GetValueOrDefault(name);

    /// <summary>Gets the cap of an edge, or <see langword="null"/> when it is unlimited.</summary>
    public int? EdgeLimit(string from, string to) => _edgeLimits.TryGetValue((from, to), out int max) ? max : null;

    public string ResumeStage(InterruptKind kind, string raisedAt) =>
        Config.ResumeStages is { } stages && stages.TryGetValue(kind, out string? stage) ? stage : raisedAt;

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

    internal sealed record Stage(string Name, string Agent, int Index, Rule[] Rules);

    /// <summary>A rule ready to evaluate; <paramref name="EdgeKey"/> is the traversal counter key of the edge it takes.</summary>
    internal sealed record Rule(string? Condition, JsonElement Value, string Target, string EdgeKey);
}
