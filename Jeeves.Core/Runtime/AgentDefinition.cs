using System.Text.Json;
using System.Text.Json.Nodes;

namespace Jeeves.Runtime;

/// <summary>Runs a plain-code agent: reads the context and returns the agent's output.</summary>
/// <param name="context">The agent's view of the run.</param>
/// <param name="cancellationToken">Cancels the agent (the run was cancelled or the agent timed out).</param>
/// <returns>The agent's output.</returns>
public delegate ValueTask<JsonObject> AgentHandler(AgentContext context, CancellationToken cancellationToken);

/// <summary>Runs before or after an agent's main step. A post-hook sees (and may change) <see cref="AgentContext.Output"/>.</summary>
/// <param name="context">The agent's view of the run.</param>
/// <param name="cancellationToken">Cancels the hook.</param>
/// <returns>A task that completes when the hook is done.</returns>
public delegate ValueTask AgentHook(AgentContext context, CancellationToken cancellationToken);

/// <summary>Implements a tool: takes the validated arguments (defaults filled in) and returns the tool's result object.</summary>
/// <param name="arguments">The arguments, validated against the tool's catalog entry.</param>
/// <param name="cancellationToken">Cancels the call (the run was cancelled or the tool timed out).</param>
/// <returns>The result; a <c>status</c> of <c>error</c>, <c>not_found</c> or <c>partial</c> is reported as such.</returns>
public delegate ValueTask<JsonObject> ToolHandler(JsonObject arguments, CancellationToken cancellationToken);

/// <summary>How an LLM agent's reply becomes its output.</summary>
public enum AgentOutputMode
{
    /// <summary>The model answers with a JSON object, which becomes the output.</summary>
    Structured,

    /// <summary>The model answers in text; the output is <c>{"response": text, "citations": [...]}</c>.</summary>
    Text,
}

/// <summary>
/// Declares an agent. What kind it is follows from what is set: a <see cref="Handler"/> makes a plain-code agent;
/// otherwise a <see cref="Prompt"/> makes an LLM agent (tool-using when <see cref="Tools"/> is not empty); with neither,
/// the agent is only its hooks.
/// </summary>
public sealed record AgentDefinition
{
    /// <summary>Gets the agent's name, which pipeline stages refer to.</summary>
    public required string Name { get; init; }

    /// <summary>Gets a one-line description, for people and for discovery.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Gets the plain-code implementation, or <see langword="null"/>.</summary>
    public AgentHandler? Handler { get; init; }

    /// <summary>Gets the name of the prompt an LLM agent renders, or <see langword="null"/>.</summary>
    public string? Prompt { get; init; }

    /// <summary>Gets the name of the prompt used instead of <see cref="Prompt"/> when the agent streams tokens, or <see langword="null"/> to use <see cref="Prompt"/>.</summary>
    public string? StreamingPrompt { get; init; }

    /// <summary>Gets the model role the agent's chat client is chosen by (a keyed client), or <see langword="null"/> for the default client.</summary>
    public string? ModelRole { get; init; }

    /// <summary>Gets the key the output is known by to later prompts and hooks; defaults to <see cref="Name"/>.</summary>
    public string? OutputKey { get; init; }

    /// <summary>Gets how the model's reply becomes the output.</summary>
    public AgentOutputMode OutputMode { get; init; } = AgentOutputMode.Structured;

    /// <summary>Gets the JSON schema a structured reply must follow (sent to the model as its response format), or <see langword="null"/> for any JSON object.</summary>
    public JsonElement? OutputSchema { get; init; }

    /// <summary>Gets the fields a structured reply must have; a reply without them is asked for again (see <see cref="OutputRetries"/>).</summary>
    public IReadOnlyList<string> RequiredOutputFields { get; init; } = [];

    /// <summary>Gets how many times a reply that is not a JSON object, or lacks a required field, is asked for again. Default 1.</summary>
    public int OutputRetries { get; init; } = 1;

    /// <summary>Gets a value indicating whether the model's answer is streamed as <see cref="TokenDelta"/> events.</summary>
    public bool StreamTokens { get; init; }

    /// <summary>Gets the tools the agent may call (tool ids of its capability). The kernel is granted exactly these for the agent.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Gets the most model round trips a tool-using agent makes in one run. Default 5.</summary>
    public int MaxToolRounds { get; init; } = 5;

    /// <summary>Gets the sampling temperature, or <see langword="null"/> for the client's default.</summary>
    public float? Temperature { get; init; }

    /// <summary>Gets the most tokens the model may produce per call, or <see langword="null"/> for the client's default.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets stop sequences for the model, if any.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Gets the longest the agent may run (hooks included) before it fails with a timeout; <see langword="null"/> uses <see cref="PipelineRunnerOptions.AgentTimeout"/>.</summary>
    /// <remarks>
    /// The time counts from the agent's start. The cancellation token a handler or hook receives is cancelled when it is up.
    /// An LLM agent without handler or hooks arms its clock only once the model call has to wait (still counting from the
    /// start), so a model that answers at once costs no timer.
    /// </remarks>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the hook run before the agent's main step.</summary>
    public AgentHook? Before { get; init; }

    /// <summary>Gets the hook run after the agent's main step; it sees and may change <see cref="AgentContext.Output"/>.</summary>
    public AgentHook? After { get; init; }

    /// <summary>Gets the output key in effect.</summary>
    public string EffectiveOutputKey => string.IsNullOrEmpty(OutputKey) ? Name : OutputKey;

    /// <summary>Gets a value indicating whether the agent calls a model.</summary>
    public bool IsLlmAgent => Handler is null && Prompt is not null;
}
