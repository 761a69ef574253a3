namespace Jeeves.Runtime;

/// <summary>
/// An application made of agents, prompts, tools and pipelines. Implement it with a public parameterless constructor and
/// register it with <c>AddCapability&lt;T&gt;()</c>, or name it in <c>JEEVES_CAPABILITIES</c>.
/// </summary>
public interface ICapability
{
    /// <summary>Gets the capability's id (for example <c>hello_world</c>).</summary>
    string Id { get; }

    /// <summary>Declares the capability's parts.</summary>
    /// <param name="builder">Collects agents, prompts, tools and pipelines.</param>
    void Register(CapabilityBuilder builder);
}

/// <summary>A tool a capability provides: its catalog entry (what the kernel validates calls against) and its implementation.</summary>
/// <param name="Entry">The catalog entry.</param>
/// <param name="Handler">The implementation.</param>
public sealed record CapabilityTool(ToolEntry Entry, ToolHandler Handler);

/// <summary>Collects a capability's parts; <see cref="Build"/> checks that they fit together.</summary>
public sealed class CapabilityBuilder
{
    private readonly List<AgentDefinition> _agents = [];
    private readonly List<PipelineConfig> _pipelines = [];
    private readonly List<CapabilityTool> _tools = [];
    private readonly List<PromptTemplate> _prompts = [];

    /// <summary>Initializes a new instance of the <see cref="CapabilityBuilder"/> class.</summary>
    /// <param name="id">The capability's id.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public CapabilityBuilder(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    /// <summary>Gets the capability's id.</summary>
    public string Id { get; }

    /// <summary>Adds an agent.</summary>
    /// <param name="agent">The agent.</param>
    /// <returns>This builder.</returns>
    public CapabilityBuilder AddAgent(AgentDefinition agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        _agents.Add(agent);
        return this;
    }

    /// <summary>Adds a pipeline; its stages name agents of this capability.</summary>
    /// <param name="pipeline">The pipeline.</param>
    /// <returns>This builder.</returns>
    public CapabilityBuilder AddPipeline(PipelineConfig pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipelines.Add(pipeline);
        return this;
    }

    /// <summary>Adds a tool.</summary>
    /// <param name="entry">The catalog entry the kernel validates calls against.</param>
    /// <param name="handler">The implementation.</param>
    /// <returns>This builder.</returns>
    public CapabilityBuilder AddTool(ToolEntry entry, ToolHandler handler)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(handler);
        _tools.Add(new CapabilityTool(entry, handler));
        return this;
    }

    /// <summary>Adds a prompt.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <returns>This builder.</returns>
    public CapabilityBuilder AddPrompt(PromptTemplate prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        _prompts.Add(prompt);
        return this;
    }

    /// <summary>Adds a prompt from its templates.</summary>
    /// <param name="name">The prompt's name.</param>
    /// <param name="user">The user message template.</param>
    /// <param name="system">The system message template, or <see langword="null"/>.</param>
    /// <param name="version">The version.</param>
    /// <returns>This builder.</returns>
    public CapabilityBuilder AddPrompt(string name, string user, string? system = null, string version = "1.0") =>
        AddPrompt(new PromptTemplate(name, user, system, version));

    /// <summary>Checks the parts and freezes them.</summary>
    /// <returns>The capability.</returns>
    /// <exception cref="InvalidOperationException">Something does not fit; the message names every problem found.</exception>
    public CapabilityDefinition Build()
    {
        var problems = new List<string>();
        var agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (AgentDefinition agent in _agents)
        {
            if (string.IsNullOrWhiteSpace(agent.Name))
            {
                problems.Add("an agent has no name");
            }
            else if (!agents.TryAdd(agent.Name, agent))
            {
                problems.Add($"agent '{agent.Name}' is declared twice");
            }
        }

        var tools = new Dictionary<string, CapabilityTool>(StringComparer.Ordinal);
        foreach (CapabilityTool tool in _tools)
        {
            if (string.IsNullOrWhiteSpace(tool.Entry.Id))
            {
                problems.Add("a tool has no id");
            }
            else if (!tools.TryAdd(tool.Entry.Id, tool))
            {
                problems.Add($"tool '{tool.Entry.Id}' is declared twice");
            }
        }

        var prompts = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        foreach (PromptTemplate prompt in _prompts)
        {
            if (!prompts.TryGetValue(prompt.Name, out PromptTemplate? existing) || PromptTemplate.CompareVersions(prompt.Version, existing.Version) > 0)
            {
                prompts[prompt.Name] = prompt;
            }
        }

        foreach (AgentDefinition agent in agents.Values)
        {
            CheckAgent(agent, prompts, tools, problems);
        }

        var pipelines = new Dictionary<string, PipelineConfig>(StringComparer.Ordinal);
        foreach (PipelineConfig pipeline in _pipelines)
        {
            if (!pipelines.TryAdd(pipeline.Name, pipeline))
            {
                problems.Add($"pipeline '{pipeline.Name}' is declared twice");
                continue;
            }

            CheckPipeline(pipeline, agents, problems);
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Capability '{Id}' is not valid: {string.Join("; ", problems)}.");
        }

        return new CapabilityDefinition(Id, agents, pipelines, tools, prompts);
    }

    private static void CheckAgent(AgentDefinition agent, Dictionary<string, PromptTemplate> prompts, Dictionary<string, CapabilityTool> tools, List<string> problems)
    {
        if (agent.Handler is null && agent.Prompt is not null && !prompts.ContainsKey(agent.Prompt))
        {
            problems.Add($"agent '{agent.Name}' uses unknown prompt '{agent.Prompt}'");
        }

        if (agent.StreamingPrompt is not null && !prompts.ContainsKey(agent.StreamingPrompt))
        {
            problems.Add($"agent '{agent.Name}' uses unknown streaming prompt '{agent.StreamingPrompt}'");
        }

        foreach (string tool in agent.Tools)
        {
            if (!tools.ContainsKey(tool))
            {
                problems.Add($"agent '{agent.Name}' uses unknown tool '{tool}'");
            }
        }

        if (agent.OutputRetries is < 0 or > 10)
        {
            problems.Add($"agent '{agent.Name}': OutputRetries must be between 0 and 10 (was {agent.OutputRetries})");
        }

        if (agent.MaxToolRounds is < 1 or > 50)
        {
            problems.Add($"agent '{agent.Name}': MaxToolRounds must be between 1 and 50 (was {agent.MaxToolRounds})");
        }

        if (agent.Timeout is { } t && t <= TimeSpan.Zero)
        {
            problems.Add($"agent '{agent.Name}': Timeout must be positive");
        }
    }

    private static void CheckPipeline(PipelineConfig pipeline, Dictionary<string, AgentDefinition> agents, List<string> problems)
    {
        if (pipeline.Stages.Count == 0)
        {
            problems.Add($"pipeline '{pipeline.Name}' has no stages");
            return;
        }

        var stages = new HashSet<string>(StringComparer.Ordinal);
        foreach (PipelineStage stage in pipeline.Stages)
        {
            if (!stages.Add(stage.Name))
            {
                problems.Add($"pipeline '{pipeline.Name}' has stage '{stage.Name}' twice");
            }

            if (!agents.ContainsKey(stage.Agent))
            {
                problems.Add($"pipeline '{pipeline.Name}' stage '{stage.Name}' uses unknown agent '{stage.Agent}'");
            }
        }

        foreach (PipelineStage stage in pipeline.Stages)
        {
            foreach (RoutingRule rule in stage.Routing)
            {
                if (!stages.Contains(rule.Target))
                {
                    problems.Add($"pipeline '{pipeline.Name}' stage '{stage.Name}' routes to unknown stage '{rule.Target}'");
                }
            }
        }

        foreach ((InterruptKind kind, string target) in pipeline.ResumeStages)
        {
            if (!stages.Contains(target))
            {
                problems.Add($"pipeline '{pipeline.Name}' resumes {WireNames.ToWire(kind)} at unknown stage '{target}'");
            }
        }
    }
}

/// <summary>A capability's parts, checked to fit together.</summary>
public sealed class CapabilityDefinition
{
    internal CapabilityDefinition(
        string id,
        IReadOnlyDictionary<string, AgentDefinition> agents,
        IReadOnlyDictionary<string, PipelineConfig> pipelines,
        IReadOnlyDictionary<string, CapabilityTool> tools,
        IReadOnlyDictionary<string, PromptTemplate> prompts)
    {
        Id = id;
        Agents = agents;
        Pipelines = pipelines;
        Tools = tools;
        Prompts = prompts;
    }

    /// <summary>Gets the capability's id.</summary>
    public string Id { get; }

    /// <summary>Gets the agents by name.</summary>
    public IReadOnlyDictionary<string, AgentDefinition> Agents { get; }

    /// <summary>Gets the pipelines by name.</summary>
    public IReadOnlyDictionary<string, PipelineConfig> Pipelines { get; }

    /// <summary>Gets the tools by id.</summary>
    public IReadOnlyDictionary<string, CapabilityTool> Tools { get; }

    /// <summary>Gets the prompts by name (the newest version of each).</summary>
    public IReadOnlyDictionary<string, PromptTemplate> Prompts { get; }

    /// <summary>Builds a capability from an <see cref="ICapability"/>.</summary>
    /// <param name="capability">The capability.</param>
    /// <returns>The checked definition.</returns>
    /// <exception cref="InvalidOperationException">The parts do not fit together.</exception>
    public static CapabilityDefinition From(ICapability capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        var builder = new CapabilityBuilder(capability.Id);
        capability.Register(builder);
        return builder.Build();
    }
}

/// <summary>The capabilities a runner serves, with their pipelines looked up by name across all of them.</summary>
public sealed class CapabilityRegistry
{
    private readonly Dictionary<string, (CapabilityDefinition Capability, PipelineConfig Pipeline)> _pipelines = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="CapabilityRegistry"/> class.</summary>
    /// <param name="capabilities">The capabilities; ids and pipeline names must be unique across them.</param>
    /// <exception cref="InvalidOperationException">Two capabilities share an id, or two pipelines share a name; the message names them.</exception>
    public CapabilityRegistry(IEnumerable<CapabilityDefinition> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<CapabilityDefinition>();
        foreach (CapabilityDefinition capability in capabilities)
        {
            if (!ids.Add(capability.Id))
            {
                problems.Add($"capability '{capability.Id}' is registered twice");
                continue;
            }

            list.Add(capability);
            foreach (PipelineConfig pipeline in capability.Pipelines.Values)
            {
                if (!_pipelines.TryAdd(pipeline.Name, (capability, pipeline)))
                {
                    problems.Add($"pipeline '{pipeline.Name}' is declared by both '{_pipelines[pipeline.Name].Capability.Id}' and '{capability.Id}'");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Capabilities do not fit together: {string.Join("; ", problems)}.");
        }

        Capabilities = list;
    }

    /// <summary>Gets the capabilities in registration order.</summary>
    public IReadOnlyList<CapabilityDefinition> Capabilities { get; }

    /// <summary>Gets the names of every pipeline.</summary>
    public IEnumerable<string> PipelineNames => _pipelines.Keys;

    /// <summary>Finds a pipeline and the capability that declares it.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="capability">The capability, when found.</param>
    /// <param name="pipeline">The pipeline, when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public bool TryGetPipeline(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CapabilityDefinition? capability, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PipelineConfig? pipeline)
    {
        if (_pipelines.TryGetValue(name, out (CapabilityDefinition Capability, PipelineConfig Pipeline) found))
        {
            capability = found.Capability;
            pipeline = found.Pipeline;
            return true;
        }

        capability = null;
        pipeline = null;
        return false;
    }
}
