using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Jeeves.Runtime;

/// <summary>
/// An agent's view of its run: the kernel's envelope as the agent started, the run's shared state, the outputs so far,
/// and the ways an agent acts on the run (its output, calling a tool, asking a human).
/// </summary>
/// <remarks>One context is made per agent run; it is not thread-safe, like the agent that uses it.</remarks>
public sealed class AgentContext
{
    private readonly RunState _run;
    private readonly AgentDefinition _agent;

    internal AgentContext(RunState run, AgentDefinition agent, string stage, Envelope envelope)
    {
        _run = run;
        _agent = agent;
        Stage = stage;
        Envelope = envelope;
    }

    /// <summary>Gets the kernel process that carries the run.</summary>
    public ProcessId ProcessId => _run.ProcessId;

    /// <summary>Gets the pipeline's name.</summary>
    public string Pipeline => _run.Pipeline.Name;

    /// <summary>Gets the agent's definition.</summary>
    public AgentDefinition Agent => _agent;

    /// <summary>Gets the stage the agent runs for.</summary>
    public string Stage { get; }

    /// <summary>Gets the kernel's copy of the envelope as it was when the agent was told to run.</summary>
    public Envelope Envelope { get; }

    /// <summary>Gets the user's input.</summary>
    public string Input => Envelope.RawInput;

    /// <summary>Gets the user the run is for.</summary>
    public string UserId => Envelope.Identity.UserId;

    /// <summary>Gets the session the run belongs to.</summary>
    public string SessionId => Envelope.Identity.SessionId;

    /// <summary>
    /// Gets the run's shared, mutable state: it starts as <see cref="RunRequest.State"/>, every agent and hook of the run sees
    /// the same object, and prompt templates can name its top-level values.
    /// </summary>
    public JsonObject State => _run.State;

    /// <summary>Gets the latest output of every agent that has run, by output key (the same objects the agents produced).</summary>
    public IReadOnlyDictionary<string, JsonObject> Outputs => _run.Outputs;

    /// <summary>
    /// Gets or sets this agent's output. The main step sets it; a post-hook may change it or replace it. What it holds when the
    /// agent ends is reported to the kernel and stored under <see cref="AgentDefinition.EffectiveOutputKey"/>.
    /// </summary>
    public JsonObject? Output { get; set; }

    /// <summary>Gets the last interrupt of this run that ended (with the human's response, when resolved), or <see langword="null"/>.</summary>
    public KernelInterrupt? LastInterrupt => _run.LastInterrupt;

    /// <summary>Gets the interrupt this agent asked for, which the runner raises when it reports the agent's result.</summary>
    public CreateInterruptRequest? RequestedInterrupt { get; private set; }

    /// <summary>Gets the kernel the run goes through.</summary>
    public IKernelClient Kernel => _run.Kernel;

    /// <summary>Gets the logger for this agent.</summary>
    public ILogger Logger => _run.Logger;

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider => _run.TimeProvider;

    internal int ToolCalls { get; set; }

    /// <summary>Gets the outputs so far as the run keeps them (enumerated without boxing, in the order they were first produced).</summary>
    internal Dictionary<string, JsonObject> RunOutputs => _run.Outputs;

    internal IRunEventSink Events => _run.Events;

    /// <summary>
    /// Asks a human before the run goes on: when the agent ends, its result is reported together with this interrupt, the
    /// kernel pauses the run (<see cref="InterruptRaised"/>), and once someone answers, the run resumes at the pipeline's
    /// resume stage for <paramref name="kind"/> with the answer in <see cref="LastInterrupt"/>.
    /// </summary>
    /// <param name="kind">What is asked for.</param>
    /// <param name="question">The question, as a person should read it.</param>
    /// <param name="data">Anything a user interface needs to show with the question.</param>
    /// <exception cref="ArgumentException"><paramref name="question"/> is empty.</exception>
    public void RequestInterrupt(InterruptKind kind, string question, JsonObject? data = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        RequestedInterrupt = new CreateInterruptRequest
        {
            Kind = kind,
            Question = question,
            Data = data,
            ProcessId = ProcessId,
            RequestId = Envelope.Identity.RequestId,
            UserId = Envelope.Identity.UserId,
            SessionId = Envelope.Identity.SessionId,
            EnvelopeId = Envelope.Identity.EnvelopeId,
        };
    }

    /// <summary>
    /// Calls one of the agent's tools through the same governed path a model's tool call takes: access check, circuit
    /// breaker, argument validation and defaults from the kernel's catalog, the tool timeout, and health recording.
    /// </summary>
    /// <param name="toolId">The tool's id; the agent must list it in <see cref="AgentDefinition.Tools"/>.</param>
    /// <param name="arguments">The arguments, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The normalised result: <c>status</c>, then <c>data</c> or <c>error</c> and <c>error_type</c>, and <c>execution_time_ms</c>. Never throws for a tool failure.</returns>
    public Task<JsonObject> CallToolAsync(string toolId, JsonObject? arguments = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolId);
        return _run.Tools.InvokeAsync(this, toolId, arguments ?? [], callId: null, cancellationToken);
    }
}
